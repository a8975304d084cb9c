internal import Foundation
internal import RegieCore
internal import RegieEngine

/// Writes the access-log records of every routed request except the service routes (one per case it touched, or
/// one for the request), and lets the answer leave only once they are durable: when they cannot be written, the
/// answer is withheld (500). An operation whose engine call already logged it in its own transaction says so
/// (`Call.audited`).
struct AccessLogMiddleware: APIMiddleware {
    let engine: Engine

    func handle(_ call: PartnerAPI.Call, next: @escaping PartnerAPI.Next, done: @escaping PartnerAPI.Done) {
        next(call) { answer in
            guard answer.call.route.access != .service && !answer.call.audited else { return done(answer) }
            engine.audit(batch: entries(answer.call, status: answer.status)) { error in
                guard let error else { return done(answer) }
                FileHandle.standardError.write(
                    Data("regie: cannot write the access log, answer withheld: \(error.description)\n".utf8))
                let problem = APIProblem(
                    500, "internal", "Internal error",
                    "the access could not be logged, so nothing is shown; try again later")
                done(PartnerAPI.Answer(call: answer.call, result: .failure(problem)))
            }
        }
    }

    /// The access-log records of a request: one per case it touched, or one for the request itself.
    private func entries(_ call: PartnerAPI.Call, status: Int) -> [AuditEntry] {
        let now = engine.clock.now()
        let outcome: AuditEntry.Outcome
        switch status {
        case 200..<300: outcome = .ok
        case 401: outcome = .unauthorized
        case 404: outcome = .notFound
        case 400..<500: outcome = .refused
        default: outcome = .error
        }
        guard !call.touched.isEmpty else { return [call.auditEntry(at: now, outcome: outcome, status: status)] }
        return call.touched.map {
            call.auditEntry(at: now, outcome: outcome, status: status, caseId: $0.caseId, clientKey: $0.clientKey)
        }
    }
}
