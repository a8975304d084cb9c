import Foundation

/// Calls `stop` on SIGINT or SIGTERM instead of dying, so a long-running command can finish what it has in hand;
/// cancel the returned sources when done.
func onStopSignals(_ stop: @escaping @Sendable () -> Void) -> [any DispatchSourceSignal] {
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    return [SIGINT, SIGTERM].map { sig in
        let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        s.setEventHandler(handler: stop)
        s.resume()
        return s
    }
}
