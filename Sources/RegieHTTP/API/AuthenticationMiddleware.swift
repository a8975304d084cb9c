internal import RegieCore
internal import RegieEngine

/// Lets a call to an authenticated route through only with a valid, unrevoked key of a current partner, and
/// records who it is (and, for the access log, which key or why it was refused).
struct AuthenticationMiddleware: APIMiddleware {
    let engine: Engine

    func handle(_ call: PartnerAPI.Call, next: @escaping PartnerAPI.Next, done: @escaping PartnerAPI.Done) {
        guard call.route.authenticated else { return next(call, done) }
        var call = call
        do throws(APIProblem) {
            try authenticate(&call)
        } catch {
            return done(PartnerAPI.Answer(call: call, result: .failure(error)))
        }
        next(call, done)
    }

    private func authenticate(_ call: inout PartnerAPI.Call) throws(APIProblem) {
        guard let header = call.request.headers["authorization"] else { throw .unauthorized }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", let key = engine.authenticate(String(parts[1]))
        else {
            call.detail = "invalid or revoked key"
            throw .unauthorized
        }
        call.key = key
        call.detail = "key \(key.id)"
        guard let partner = engine.config.partner(key.partner) else {
            call.detail = "key \(key.id) of \(key.partner), which is no longer a partner"
            throw .unauthorized
        }
        call.partner = partner
    }
}
