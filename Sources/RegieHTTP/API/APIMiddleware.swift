/// A step every routed request passes through on its way to its handler and back (authentication, the access log,
/// metrics), so that no route can forget one. A middleware calls `next` to go on, or answers itself through
/// `done`; it may see and change the answer on its way back, and may give it later and from another thread.
protocol APIMiddleware: Sendable {
    /// Handles one call: `next` passes it on (to the next middleware or the handler) with the `done` to answer to.
    func handle(_ call: PartnerAPI.Call, next: @escaping PartnerAPI.Next, done: @escaping PartnerAPI.Done)
}

extension PartnerAPI {
    /// A call as its handler left it (who asked, which cases it touched), with the reply or the problem.
    struct Answer: Sendable {
        var call: Call
        var result: Result<Reply, APIProblem>

        /// The HTTP status the answer will have.
        var status: Int {
            switch result {
            case .success(let reply): reply.status
            case .failure(let problem): problem.status
            }
        }
    }

    /// Receives the answer to a call.
    typealias Done = @Sendable (Answer) -> Void
    /// Passes a call on down the chain.
    typealias Next = @Sendable (Call, _ done: @escaping Done) -> Void
}
