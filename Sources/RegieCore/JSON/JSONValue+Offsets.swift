extension JSONObject {
    /// The object with every source offset removed (merged text has no line numbers of its own).
    public var withoutOffsets: JSONObject {
        JSONObject(members.map { JSONObject.Member(key: $0.key, value: $0.value.withoutOffsets) })
    }
}

extension JSONValue {
    /// The value with every source offset removed.
    public var withoutOffsets: JSONValue {
        switch self {
        case .object(let o): return .object(o.withoutOffsets)
        case .array(let a): return .array(a.map(\.withoutOffsets))
        case .null, .bool, .int, .double, .string: return self
        }
    }
}
