/// A step every routed request passes through on its way to its handler and back (authentication, the access log,
/// metrics), so that no route can forget one. A middleware calls `next` to go on, or answers itself through
/// `done`; it may see and change the answer on its way back, and may give it later and from another thread.
protocol APIMiddleware: Sendable {
    /// Handles one call: `next` passes it on (to the next middleware or the handler) with the `done` to answer to.
    func handle(_ call: PartnerAPI.Call, next: @escaping PartnerAPI.Next, done: @escaping PartnerAPI.Done)
}

extension PartnerAPI {
    /// A call as its handler left it (who asked, which cases it touched), with its response, rendered where the
    /// handler ran: the access log may hand the answer back on the group committer's thread, which must not spend
    /// its time serialising the answers of a whole batch.
    struct Answer: Sendable {
        var call: Call
        var status: Int
        var response: HTTPResponse

        /// The answer for a handler's reply or problem.
        init(call: Call, result: Result<Reply, APIProblem>) {
            self.call = call
            switch result {
            case .success(let reply): (status, response) = (reply.status, PartnerAPI.render(reply))
            case .failure(let problem):
                (status, response) = (problem.status, PartnerAPI.render(problem, instance: call.request.path))
            }
        }
    }

    /// Receives the answer to a call.
    typealias Done = @Sendable (Answer) -> Void
    /// Passes a call on down the chain.
    typealias Next = @Sendable (Call, _ done: @escaping Done) -> Void
}
