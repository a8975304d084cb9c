/// Secondary suppression with an exact attacker, for the numbers of one block of the monitor (one family of figures,
/// one quarter, one workflow and municipality).
///
/// Every number a block publishes is the flow on one edge of a small network: a month's total flows from the
/// source into the month, the month's cells flow on to their category, a category's quarter figure flows to the
/// sink, and the quarter's total flows back to the source. A second figure with the same total (a family) enters
/// the months from the other side. A table with its margins is a network flow, so an attacker who knows the shown
/// numbers and the bounds of the withheld ones (1...threshold-1 for "< 5", threshold and up for a cell withheld to
/// protect another) can move a withheld number by one exactly when the residual network has a cycle through it;
/// the constraint matrix of a network is totally unimodular, so this is the whole truth, not a relaxation.
struct ProtectionNetwork {
    /// What a number shows.
    enum Shown: Equatable {
        /// The number itself.
        case value
        /// Under the threshold: "< 5".
        case small
        /// Withheld so that a small number cannot be recovered from the others: "x".
        case withheld
    }

    struct Edge {
        var from: Int
        var to: Int
        var value: Int
        var shown: Shown = .value
    }

    private(set) var nodes = 0
    private(set) var edges: [Edge] = []
    let threshold: Int

    init(threshold: Int) { self.threshold = threshold }

    /// Adds a node and returns it.
    mutating func node() -> Int {
        nodes += 1
        return nodes - 1
    }

    /// Adds the edge carrying a published number and returns its index.
    mutating func edge(_ from: Int, _ to: Int, _ value: Int) -> Int {
        edges.append(Edge(from: from, to: to, value: value))
        return edges.count - 1
    }

    /// Withholds every number under the threshold (but not zero), then withholds more, smallest first, until no
    /// withheld number can be recovered. When even that is not enough, the whole block is withheld: every number,
    /// zeros and small ones included, is "x".
    mutating func protect() {
        for i in edges.indices where edges[i].value > 0 && edges[i].value < threshold { edges[i].shown = .small }
        while let pinned = edges.indices.first(where: { edges[$0].shown != .value && isPinned($0) }) {
            let candidates = edges.indices.filter { edges[$0].shown == .value && edges[$0].value >= threshold }
                .sorted { (edges[$0].value, $0) < (edges[$1].value, $1) }
            guard !candidates.isEmpty else {
                // Even "< 5" says too much here (each is at least 1): the block shows nothing but "x".
                for i in edges.indices { edges[i].shown = .withheld }
                return
            }
            let freeing = candidates.first { c in
                var trial = self
                trial.edges[c].shown = .withheld
                return !trial.isPinned(pinned)
            }
            let near = candidates.first { c in
                let (a, b) = (edges[c], edges[pinned])
                return a.from == b.from || a.from == b.to || a.to == b.from || a.to == b.to
            }
            edges[freeing ?? near ?? candidates[0]].shown = .withheld
        }
    }

    /// Whether an attacker knowing the shown numbers and the bounds of the withheld ones can tell edge `e`'s value.
    func isPinned(_ e: Int) -> Bool {
        guard edges[e].shown != .value else { return true }
        return !canMove(e, by: 1) && !canMove(e, by: -1)
    }

    private func bounds(_ edge: Edge) -> ClosedRange<Int> {
        switch edge.shown {
        case .value: edge.value...edge.value
        case .small: 1...(threshold - 1)
        case .withheld: threshold...Int.max - 1
        }
    }

    /// Whether edge `e` can change by `delta` (+1 or -1) while every published relation still holds: a path in the
    /// residual network of the other withheld edges closes the cycle.
    private func canMove(_ e: Int, by delta: Int) -> Bool {
        let edge = edges[e]
        guard bounds(edge).contains(edge.value + delta) else { return false }
        // More flow on from->to needs a way back from `to` to `from`; less needs a way on from `from` to `to`.
        let (start, goal) = delta > 0 ? (edge.to, edge.from) : (edge.from, edge.to)
        var seen = [Bool](repeating: false, count: nodes)
        var queue = [start]
        seen[start] = true
        while let n = queue.popLast() {
            if n == goal { return true }
            for (i, f) in edges.enumerated() where i != e && f.shown != .value {
                let range = bounds(f)
                if f.from == n, !seen[f.to], range.contains(f.value + 1) {
                    seen[f.to] = true
                    queue.append(f.to)
                }
                if f.to == n, !seen[f.from], range.contains(f.value - 1) {
                    seen[f.from] = true
                    queue.append(f.from)
                }
            }
        }
        return false
    }
}
