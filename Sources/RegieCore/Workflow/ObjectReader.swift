/// Reads the members of one JSON object at a path, collecting problems instead of stopping at the first.
struct ObjectReader {
    let object: JSONObject
    let path: String
    let allowed: [String]
    let report: ProblemSink

    /// Reports every key not in `allowed`, with the closest allowed key as a suggestion.
    func checkUnknownKeys() {
        for member in object.members where !allowed.contains(member.key) {
            let suggestion = closest(member.key, in: allowed).map { "did you mean \"\($0)\"?" }
            let fix = suggestion ?? "allowed keys here: \(allowed.joined(separator: ", "))"
            report.add(path + "." + member.key, member.offset, "unknown key \"\(member.key)\"", fix)
        }
    }

    func offset(of key: String) -> Int? { object.members.first { $0.key == key }?.offset }

    func childPath(_ key: String) -> String { path + "." + key }

    func string(_ key: String, required: Bool, fix: String? = nil) -> String? {
        guard let value = object[key] else {
            if required { report.add(path, nil, "missing required key \"\(key)\"", fix) }
            return nil
        }
        guard let s = value.stringValue else {
            report.add(
                childPath(key), offset(of: key), "\"\(key)\" must be a string, not \(value.kindDescription)", fix)
            return nil
        }
        return s
    }

    func slug(_ key: String, required: Bool, what: String) -> String? {
        guard let s = string(key, required: required) else { return nil }
        if !isSlug(s) {
            report.add(
                childPath(key), offset(of: key), "\(what) \"\(s)\" is not a valid name",
                "use lowercase letters, digits and '-', starting with a letter (e.g. \"overdracht-accepteren\")")
        }
        return s
    }

    func bool(_ key: String) -> Bool {
        guard let value = object[key] else { return false }
        guard case .bool(let b) = value else {
            report.add(
                childPath(key), offset(of: key), "\"\(key)\" must be true or false, not \(value.kindDescription)", nil)
            return false
        }
        return b
    }

    func int(_ key: String, required: Bool, range: ClosedRange<Int64>) -> Int? {
        guard let value = object[key] else {
            if required { report.add(path, nil, "missing required key \"\(key)\"", nil) }
            return nil
        }
        guard let i = value.intValue else {
            report.add(
                childPath(key), offset(of: key), "\"\(key)\" must be a whole number, not \(value.kindDescription)", nil)
            return nil
        }
        guard range.contains(i) else {
            report.add(
                childPath(key), offset(of: key),
                "\"\(key)\" is \(i), outside \(range.lowerBound)...\(range.upperBound)", nil)
            return nil
        }
        return Int(i)
    }

    func array(_ key: String, required: Bool) -> [JSONValue]? {
        guard let value = object[key] else {
            if required { report.add(path, nil, "missing required key \"\(key)\"", nil) }
            return nil
        }
        guard let a = value.arrayValue else {
            report.add(
                childPath(key), offset(of: key), "\"\(key)\" must be an array, not \(value.kindDescription)", nil)
            return nil
        }
        return a
    }

    func stringList(_ key: String, required: Bool) -> [(String, String)]? {
        guard let items = array(key, required: required) else { return nil }
        var out: [(String, String)] = []
        for (i, item) in items.enumerated() {
            let p = "\(childPath(key))[\(i)]"
            guard let s = item.stringValue else {
                report.add(p, offset(of: key), "must be a string, not \(item.kindDescription)", nil)
                continue
            }
            out.append((s, p))
        }
        return out
    }
}

/// Collects problems for one file.
final class ProblemSink {
    let file: String
    let text: [UInt8]
    private(set) var problems: [ValidationProblem] = []

    init(file: String, text: [UInt8]) {
        self.file = file
        self.text = text
    }

    /// Parses a duration, reporting a malformed one at `path` as a bad `kind`, and, when `negative` names what the
    /// duration is (a deadline, a window), a negative one as such.
    func duration(_ text: String, _ path: String, _ offset: Int?, kind: String = "duration", negative: String? = nil)
        -> DurationSpec?
    {
        if let negative, text.trimmingSpaces.hasPrefix("-") {
            add(
                path, offset, "a \(negative) cannot be negative (\"\(text)\")",
                "give a length of time, e.g. \"5 werkdagen\"")
            return nil
        }
        do {
            return try DurationSpec.parse(text)
        } catch {
            add(path, offset, "bad \(kind): \(error.description)", nil)
            return nil
        }
    }

    func add(_ path: String, _ offset: Int?, _ message: String, _ fix: String?) {
        let line = offset.map { JSONParser.lineAndColumn(of: $0, in: text).line }
        problems.append(ValidationProblem(file: file, path: path, line: line, message: message, fix: fix))
    }
}

/// Whether `s` is a lowercase slug: a letter, then letters, digits or '-'.
public func isSlug(_ s: String) -> Bool {
    guard let first = s.utf8.first, first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z"), s.utf8.count <= 64 else {
        return false
    }
    return s.utf8.allSatisfy {
        ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
            || $0 == UInt8(ascii: "-")
    }
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
public func closest(_ word: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
    return best.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
