/// The limits that keep one client from exhausting the server. Each has its own clear error.
public struct ServerLimits: Sendable, Equatable {
    /// The request line (method, target, version); a longer target gets 414.
    public var maxRequestLine = 8192
    /// The request line and all header fields together; more gets 431.
    public var maxHeaderBytes = 16384
    /// The number of header fields; more gets 431.
    public var maxHeaderCount = 100
    /// The decoded body; more gets 413.
    public var maxBodyBytes = 1 << 20
    /// A connection waiting for a new request is closed after this long.
    public var idleTimeout = 60.0
    /// From a request's first byte to the end of its header: a slower client gets 408 and is cut off.
    public var headerTimeout = 10.0
    /// From a request's first byte to the end of its body.
    public var requestTimeout = 30.0
    /// A response the client does not read within this time is abandoned with the connection.
    public var writeTimeout = 30.0
    /// Open connections; beyond it a new connection gets 503 and is closed.
    public var maxConnections = 4096
    /// Open connections from one address (except the reverse proxy's): one client cannot take them all.
    public var maxConnectionsPerAddress = 256

    /// The defaults.
    public init() {}
}
