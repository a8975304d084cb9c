import Testing

@testable import RegieCore

@Suite struct JSONParserTests {
    @Test func parsesAndKeepsKeyOrder() throws {
        let v = try JSONParser.parse(#"{"b": 1, "a": [true, null, "x\n\u00e9"], "c": 1.5}"#)
        #expect(v.objectValue?.keys == ["b", "a", "c"])
        #expect(v["a"]?.arrayValue?[2].stringValue == "x\né")
        #expect(v.compactText == #"{"b":1,"a":[true,null,"x\né"],"c":1.5}"#)
        #expect(try JSONParser.parse(v.prettyText) == v)
    }

    @Test func escapesWhatJSONRequiresAndKeepsTheRest() throws {
        let text = "quote \" backslash \\ tab \t nul \u{0} unit \u{1F} é 😀 end"
        let v = JSONValue.object(JSONObject(pairs: ["s": .string(text), "n": .int(-12), "d": .double(2.5)]))
        #expect(
            v.compactText
                == #"{"s":"quote \" backslash \\ tab \t nul \u0000 unit \u001f é 😀 end","n":-12,"d":2.5}"#)
        #expect(try JSONParser.parse(v.compactText) == v)
        #expect(try JSONParser.parse(v.prettyText) == v)
        #expect(
            JSONValue.object(JSONObject(pairs: ["a": .array([.int(1)])])).prettyText == "{\n  \"a\": [\n    1\n  ]\n}")
    }

    @Test func reportsLineAndColumn() {
        let text = "{\n  \"a\": 1,\n  \"b\": tru\n}"
        #expect {
            try JSONParser.parse(text)
        } throws: { error in
            guard let e = error as? JSONSyntaxError else { return false }
            return e.line == 3 && e.column == 8
        }
    }

    @Test func refusesDuplicateKeysTrailingCommasAndGarbage() {
        for bad in [#"{"a":1,"a":2}"#, "[1,2,]", #"{"a":1,}"#, "01", "{} x", "\"open", "", "[1 2]", "{'a':1}"] {
            #expect(throws: JSONSyntaxError.self, "\(bad)") { try JSONParser.parse(bad) }
        }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
    }
}
