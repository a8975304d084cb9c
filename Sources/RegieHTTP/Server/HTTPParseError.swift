/// Why the bytes on a connection are not an acceptable HTTP/1.1 request: the status to answer with and a message
/// that says what was wrong. After such an error the connection is closed, since where the next request would
/// start can no longer be trusted.
public struct HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var message: String

    /// Creates an error.
    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status): \(message)" }
}
