extension Workflow {
    /// The workflow as a Mermaid state diagram: states, transitions with their events and roles, and timers.
    public var mermaid: String {
        var lines = ["stateDiagram-v2", "    %% \(name) v\(version): \(title)"]
        for s in states {
            let id = Self.nodeID(s.name)
            lines.append("    state \"\(s.name)\" as \(id)")
            if s.initial { lines.append("    [*] --> \(id)") }
            if s.final { lines.append("    \(id) --> [*]") }
            for t in s.timers {
                lines.append(
                    "    note right of \(id) : ⏱ \(t.name) \(t.durationText)\(t.statutory ? " (wettelijk)" : "") → \(t.fires)"
                )
            }
        }
        for module in includes {
            let events = transitions.filter { $0.module == module }.map(\.event)
            lines.append(
                "    note left of \(Self.nodeID(initialState.name)) : \(module) in elke open toestand: \(events.joined(separator: ", "))"
            )
        }
        for (from, t) in expandedEdges() {
            let label = t.event + " [" + t.roles.sorted().map(\.rawValue).joined(separator: ",") + "]"
            lines.append("    \(Self.nodeID(from)) --> \(Self.nodeID(t.to ?? from)) : \(label)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The workflow as Graphviz DOT.
    public var dot: String {
        var lines = [
            "digraph \"\(name)\" {", "  label=\"\(name) v\(version): \(Self.escape(title))\";", "  rankdir=LR;",
            "  node [shape=box, style=rounded, fontname=Helvetica];", "  edge [fontname=Helvetica, fontsize=10];",
        ]
        for s in states {
            var attributes = [
                "label=\"\(s.name)" + s.timers.map { "\\n⏱ \($0.name) \($0.durationText) → \($0.fires)" }.joined()
                    + "\""
            ]
            if s.final { attributes.append("peripheries=2") }
            if s.initial { attributes.append("penwidth=2") }
            lines.append("  \"\(s.name)\" [\(attributes.joined(separator: ", "))];")
        }
        for module in includes {
            let events = transitions.filter { $0.module == module }.map(\.event)
            lines.append(
                "  \"__\(module)\" [shape=note, label=\"\(module), in elke open toestand:\\n\(events.joined(separator: "\\n"))\"];"
            )
        }
        if let initial = states.first(where: \.initial) {
            lines.append("  \"__start\" [shape=point, label=\"\"];")
            lines.append("  \"__start\" -> \"\(initial.name)\";")
        }
        for (from, t) in expandedEdges() {
            let style = t.roles == [.systeem] ? ", style=dashed" : ""
            lines.append(
                "  \"\(from)\" -> \"\(t.to ?? from)\" [label=\"\(t.event)\\n[\(t.roles.sorted().map(\.rawValue).joined(separator: ","))]\"\(style)];"
            )
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private func expandedEdges() -> [(String, TransitionDefinition)] {
        let nonFinal = states.filter { !$0.final }.map(\.name)
        var out: [(String, TransitionDefinition)] = []
        // Module transitions apply in every open state; the drawing lists them once instead of as loops everywhere.
        for t in transitions where t.module == nil {
            for f in t.from { for s in (f == "*" ? nonFinal : [f]) { out.append((s, t)) } }
        }
        return out
    }

    private static func nodeID(_ name: String) -> String { "s_" + name.replacingDashes }

    private static func escape(_ s: String) -> String {
        s.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\\\"")
    }
}

extension WorkflowModule {
    /// The module as a Mermaid diagram: its transitions as loops on "any open state", with their timers.
    public var mermaid: String {
        var lines = [
            "stateDiagram-v2", "    %% \(name) v\(version) (module): \(title)",
            "    state \"elke open toestand\" as open",
        ]
        for t in timers {
            lines.append("    note right of open : ⏱ \(t.name) \(t.durationText) → \(t.fires)")
        }
        for t in transitions {
            lines.append("    open --> open : \(t.event) [\(t.roles.sorted().map(\.rawValue).joined(separator: ","))]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The module as Graphviz DOT.
    public var dot: String {
        var lines = [
            "digraph \"\(name)\" {", "  label=\"\(name) v\(version) (module)\";",
            "  node [shape=box, style=rounded, fontname=Helvetica];",
            "  edge [fontname=Helvetica, fontsize=10];",
            "  \"open\" [label=\"elke open toestand"
                + timers.map { "\\n⏱ \($0.name) \($0.durationText) → \($0.fires)" }.joined() + "\"];",
        ]
        for t in transitions {
            let style = t.roles == [.systeem] ? ", style=dashed" : ""
            lines.append(
                "  \"open\" -> \"open\" [label=\"\(t.event)\\n[\(t.roles.sorted().map(\.rawValue).joined(separator: ","))]\"\(style)];"
            )
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    var replacingDashes: String { String(map { $0 == "-" ? "_" : $0 }) }
}
