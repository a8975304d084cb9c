extension String {
    /// The text percent-encoded for a URL's query or a form body: RFC 3986's unreserved characters stay, every
    /// other byte of the UTF-8 is `%XX`.
    public var percentEncoded: String {
        var out = ""
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        for b in utf8 {
            switch b {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: out.unicodeScalars.append(.init(b))
            default: out += "%" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 15)])
            }
        }
        return out
    }
}
