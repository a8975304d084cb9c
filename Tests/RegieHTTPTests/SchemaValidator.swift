import RegieCore

/// Checks JSON against the schemas of an OpenAPI 3.0 document: the subset the document uses (`type`, `nullable`,
/// `properties`, `required`, `additionalProperties`, `items`, `enum`, `minimum`, `maximum`, `$ref`, `oneOf`).
struct SchemaValidator {
    let document: JSONValue

    /// Follows a local `$ref` such as `#/components/schemas/Case`.
    func resolve(_ value: JSONValue) -> JSONValue {
        var current = value
        var hops = 0
        while let ref = current["$ref"]?.stringValue, hops < 10 {
            var node = document
            for part in ref.dropFirst(2).split(separator: "/") { node = node[String(part)] ?? .null }
            current = node
            hops += 1
        }
        return current
    }

    /// The problems of `value` against `schema`, each with its JSON path; empty when it fits.
    func problems(_ value: JSONValue, _ schemaRef: JSONValue, at path: String = "$") -> [String] {
        let schema = resolve(schemaRef)
        if value == .null {
            return schema["nullable"] == .bool(true) || schema["type"] == nil ? [] : ["\(path): null is not allowed"]
        }
        var out: [String] = []
        if let choices = schema["oneOf"]?.arrayValue {
            let fitting = choices.filter { problems(value, $0, at: path).isEmpty }.count
            if fitting != 1 { out.append("\(path): fits \(fitting) of the oneOf schemas, not exactly one") }
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) {
            out.append("\(path): \(value.compactText) is not one of \(JSONValue.array(allowed).compactText)")
        }
        switch schema["type"]?.stringValue {
        case "object"?:
            guard let o = value.objectValue else {
                return ["\(path): expected an object, got \(value.kindDescription)"]
            }
            let properties = schema["properties"]?.objectValue
            for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where o[name] == nil {
                out.append("\(path): the required member \(name) is missing")
            }
            for m in o.members {
                if let p = properties?[m.key] {
                    out += problems(m.value, p, at: "\(path).\(m.key)")
                } else if let extra = schema["additionalProperties"] {
                    if extra == .bool(false) {
                        out.append("\(path): member \(m.key) is not described")
                    } else if extra.objectValue != nil {
                        out += problems(m.value, extra, at: "\(path).\(m.key)")
                    }
                }
            }
        case "array"?:
            guard let a = value.arrayValue else { return ["\(path): expected an array, got \(value.kindDescription)"] }
            if let items = schema["items"] {
                for (i, v) in a.enumerated() { out += problems(v, items, at: "\(path)[\(i)]") }
            }
        case "string"?:
            if value.stringValue == nil { out.append("\(path): expected a string, got \(value.kindDescription)") }
        case "integer"?:
            guard let n = value.intValue, case .int = value else {
                return out + ["\(path): expected an integer, got \(value.kindDescription)"]
            }
            if let min = schema["minimum"]?.intValue, n < min { out.append("\(path): \(n) is below \(min)") }
            if let max = schema["maximum"]?.intValue, n > max { out.append("\(path): \(n) is above \(max)") }
        case "number"?:
            switch value {
            case .int, .double: break
            default: out.append("\(path): expected a number, got \(value.kindDescription)")
            }
        case "boolean"?:
            if case .bool = value {} else { out.append("\(path): expected a boolean, got \(value.kindDescription)") }
        default: break
        }
        return out
    }
}
