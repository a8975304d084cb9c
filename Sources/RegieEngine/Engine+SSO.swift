internal import RegieCore
internal import RegieStore
internal import RegieCrypto
internal import Foundation
import Synchronization

/// What the engine remembers of the identity provider: its discovery document and its keys, refetched when stale or
/// when a token names a key it does not know (at most once a minute).
struct SSOCache: Sendable {
    struct Discovery: Sendable {
        var issuer: String
        var authorization: String
        var token: String
        var jwks: String
        var fetchedAt: Instant
    }

    var discovery: Discovery?
    var keys: [String: JWKPublicKey] = [:]
    var keysFetchedAt: Instant?
}

/// Logging in through the region's identity provider: OpenID Connect's authorization-code flow with PKCE. Regie
/// checks the ID token itself (signature with the provider's published keys, issuer, audience, expiry, nonce) and
/// maps its login claim onto a person.
extension Engine {
    /// Where to send the browser, and the cookie that ties its return to this start.
    public struct SSOStart: Sendable {
        public var redirect: String
        public var token: String
    }

    /// What the return from the identity provider came to.
    public enum SSOOutcome: Sendable {
        case loggedIn(WebSession)
        /// Refused; the reason is for the page and the access log (never a secret).
        case refused(String)
    }

    /// Starts a login at the identity provider: a state, a nonce and a PKCE verifier, kept with a pending session.
    public func beginSSO(context: LoginContext) throws(EngineError) -> SSOStart {
        guard let sso = identity.sso else { throw .invalid("Inloggen via de identity provider staat uit.") }
        if let refusal = loginsPerAddress.admit(context.address, at: clock.now()) {
            throw .tooMany(
                "Te veel inlogpogingen; probeer het over \(max(1, refusal.retryAfterSeconds / 60)) minuten opnieuw.",
                retryAfterSeconds: refusal.retryAfterSeconds)
        }
        let discovery = try discover(sso)
        let (token, state, nonce, verifier) = (
            try Self.randomToken(), try Self.randomToken(), try Self.randomToken(), try Self.randomToken()
        )
        let challenge = Base64URL.encode(Crypto.sha256(Array(verifier.utf8)))
        let sealed: String
        do {
            let pending = JSONValue.object(
                JSONObject(pairs: ["state": .string(state), "nonce": .string(nonce), "verifier": .string(verifier)]))
            sealed = try SecretBox.seal(Array(pending.compactText.utf8), key: try identityKey("sso-pending"))
        } catch let e as EngineError {
            throw e
        } catch {
            throw .environment("\(error)")
        }
        let now = clock.now()
        let row = CaseStore.SessionRow(
            idHash: Self.sha256Hex(token), ref: "s-" + String(Self.sha256Hex("ref:" + token).prefix(12)), login: nil,
            stage: "sso", method: "sso", pending: sealed, createdAt: now, seenAt: now, address: context.address)
        try write { store in try store.insertSession(row) }
        let query: [(String, String)] = [
            ("response_type", "code"), ("client_id", sso.clientId), ("redirect_uri", sso.redirectURI),
            ("scope", sso.scopes.joined(separator: " ")), ("state", state), ("nonce", nonce),
            ("code_challenge", challenge), ("code_challenge_method", "S256"),
        ]
        let separator = discovery.authorization.contains("?") ? "&" : "?"
        return SSOStart(
            redirect: discovery.authorization + separator
                + query.map { "\($0.0.percentEncoded)=\($0.1.percentEncoded)" }.joined(separator: "&"),
            token: token)
    }

    /// Finishes a login on the browser's return: checks the state, exchanges the code, checks the ID token, and
    /// opens a session for the person it names. The pending start can be used once.
    public func finishSSO(
        token: String, code: String?, state: String?, error: String?, context: LoginContext
    ) throws(EngineError) -> SSOOutcome {
        guard let sso = identity.sso else { throw .invalid("Inloggen via de identity provider staat uit.") }
        let idHash = Self.sha256Hex(token)
        let now = clock.now()
        // The pending start is taken (ended) before anything else, so that a second return with it fails.
        let taken = Mutex<CaseStore.SessionRow?>(nil)
        try write { store in
            guard let row = try store.session(idHash: idHash), row.stage == "sso", row.endedAt == nil else { return }
            try store.endSession(idHash: idHash, at: now, reason: "sso-returned")
            taken.withLock { $0 = row }
        }
        func refuse(_ reason: String, person: Person? = nil) throws(EngineError) -> SSOOutcome {
            var entry = loginEntry(context, person: person, outcome: .unauthorized, now: now)
            entry.identity = person == nil ? nil : .sso
            entry.detail = "SSO refused: \(reason)"
            try audit(entry)
            return .refused(reason)
        }
        guard let row = taken.withLock({ $0 }), now.milliseconds - row.createdAt.milliseconds <= 10 * 60_000,
            let sealed = row.pending,
            let pendingText = try? SecretBox.open(sealed, key: try identityKey("sso-pending")),
            let pending = try? JSONParser.parse(pendingText),
            let expectedState = pending["state"]?.stringValue, let nonce = pending["nonce"]?.stringValue,
            let verifier = pending["verifier"]?.stringValue
        else { return try refuse("no login was started from this browser, or it was used or is older than 10 minutes") }
        if let error { return try refuse("the identity provider answered \(error.prefix(100))") }
        guard let state, Crypto.constantTimeEquals(Array(state.utf8), Array(expectedState.utf8)) else {
            return try refuse("the state does not match the login started here")
        }
        guard let code, !code.isEmpty else { return try refuse("the identity provider sent no code") }
        let discovery: SSOCache.Discovery
        do { discovery = try discover(sso) } catch { return try refuse("\(error)") }
        var form = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", sso.redirectURI),
            ("client_id", sso.clientId), ("code_verifier", verifier),
        ]
        if let file = sso.clientSecretFile {
            guard let secret = FileManager.default.contents(atPath: file) else {
                throw .environment("the client secret file \(file) cannot be read")
            }
            form.append(
                (
                    "client_secret",
                    String(decoding: secret, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                ))
        }
        let answer: JSONValue
        do { answer = try fetchJSON(FetchRequest(url: discovery.token, form: form), what: "the token endpoint") } catch
        {
            return try refuse("the code was not exchanged for a token: \(error)")
        }
        guard let idToken = answer["id_token"]?.stringValue else {
            return try refuse("the token endpoint answered without an ID token")
        }
        let claims: JSONValue
        switch try verifiedClaims(idToken, sso: sso, discovery: discovery, nonce: nonce, now: now) {
        case .success(let c): claims = c
        case .failure(let refusal): return try refuse(refusal.reason)
        }
        guard let login = claims[sso.loginClaim]?.stringValue?.lowercased(), Person.problem(withLogin: login) == nil
        else {
            return try refuse("the ID token has no usable \(sso.loginClaim) claim")
        }
        var person = try read { try $0.person(login) }
        if person == nil {
            guard let orgClaim = sso.organisationClaim, let rolesClaim = sso.rolesClaim,
                let partner = claims[orgClaim]?.stringValue
            else { return try refuse("\(login) is not registered in Regie; a functional administrator adds them") }
            let names = claims[rolesClaim]?.arrayValue?.compactMap(\.stringValue) ?? []
            let roles = Set(names.compactMap(PersonRole.init(rawValue:)))
            guard !roles.isEmpty, roles.count == names.count,
                (try? config.checkPartner(partner)) != nil,
                roles.allSatisfy({ config.problem(withRole: $0, for: partner) == nil })
            else { return try refuse("the claims \(orgClaim) and \(rolesClaim) of \(login) do not fit the region") }
            let name = claims["name"]?.stringValue ?? login
            var entry = loginEntry(context, person: nil, outcome: .ok, now: now)
            entry.identity = .sso
            entry.person = login
            entry.partner = partner
            let made = try addPerson(
                login: login, name: name, partner: partner, roles: roles, localLogin: false, audit: entry)
            person = made.person
        }
        guard let person else { return try refuse("\(login) is not registered in Regie") }
        if let orgClaim = sso.organisationClaim, let partner = claims[orgClaim]?.stringValue, partner != person.partner
        {
            return try refuse(
                "\(login) is registered for \(person.partner), the identity provider says \(partner)", person: person)
        }
        guard person.status == .active, person.lockedAt == nil else {
            return try refuse("\(login) is disabled or locked in Regie", person: person)
        }
        let sessionToken = try Self.randomToken()
        let session = CaseStore.SessionRow(
            idHash: Self.sha256Hex(sessionToken), ref: "s-" + String(Self.sha256Hex("ref:" + sessionToken).prefix(12)),
            login: person.login, stage: LoginStage.active.rawValue, method: "sso", pending: nil, createdAt: now,
            seenAt: now, address: context.address)
        var entry = loginEntry(context, person: person, outcome: .ok, now: now)
        entry.identity = .sso
        entry.via = session.ref
        entry.detail =
            "logged in through the identity provider (subject \(claims["sub"]?.stringValue?.prefix(64) ?? "-"))"
        let record = entry
        try write { store in
            try store.insertSession(session)
            try store.recordLogin(person.login, now: now)
            try Self.append(record, to: store)
        }
        return .loggedIn(try webSession(token: sessionToken, row: session, person: person))
    }

    // MARK: The ID token

    /// The claims of an ID token whose signature, issuer, audience, expiry and nonce are right; or why not.
    func verifiedClaims(
        _ compact: String, sso: SSOSettings, discovery: SSOCache.Discovery, nonce: String, now: Instant
    ) throws(EngineError) -> Result<JSONValue, SSORefusal> {
        guard let jwt = try? JWT(compact: compact), let header = try? JSONParser.parse(jwt.headerJSON),
            let claims = try? JSONParser.parse(jwt.payloadJSON)
        else { return .failure("the ID token is not a JWT") }
        guard let alg = header["alg"]?.stringValue, alg == "RS256" || alg == "ES256" else {
            return .failure(
                "the ID token is signed with \(header["alg"]?.stringValue ?? "nothing"); Regie accepts RS256 and ES256")
        }
        guard let kid = header["kid"]?.stringValue, let key = try signingKey(kid, discovery: discovery, now: now) else {
            return .failure(
                "the ID token names key \(header["kid"]?.stringValue ?? "(none)"), which the identity provider does not publish"
            )
        }
        guard key.algorithm == alg, key.verify(jwt.signature, over: jwt.signingInput) else {
            return .failure("the ID token's signature does not verify with the identity provider's key \(kid)")
        }
        guard claims["iss"]?.stringValue == discovery.issuer else {
            return .failure(
                "the ID token was issued by \(claims["iss"]?.stringValue ?? "nobody"), not \(discovery.issuer)")
        }
        let audiences =
            claims["aud"]?.stringValue.map { [$0] } ?? claims["aud"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard audiences.contains(sso.clientId) else {
            return .failure("the ID token is meant for \(audiences.joined(separator: ", ")), not for \(sso.clientId)")
        }
        if audiences.count > 1, claims["azp"]?.stringValue != sso.clientId {
            return .failure("the ID token has several audiences and is not authorised for \(sso.clientId) (azp)")
        }
        let seconds = now.milliseconds / 1000
        let skew: Int64 = 60
        guard let exp = claims["exp"]?.intValue, exp + skew > seconds else {
            return .failure("the ID token has expired")
        }
        if let iat = claims["iat"]?.intValue, iat > seconds + skew {
            return .failure("the ID token was issued in the future")
        }
        if let nbf = claims["nbf"]?.intValue, nbf > seconds + skew {
            return .failure("the ID token is not valid yet (nbf)")
        }
        guard let given = claims["nonce"]?.stringValue, Crypto.constantTimeEquals(Array(given.utf8), Array(nonce.utf8))
        else { return .failure("the ID token's nonce is not the one of this login (a replayed token)") }
        return .success(claims)
    }

    /// A reason a token was refused.
    struct SSORefusal: Error, ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
        let reason: String
        init(stringLiteral value: String) { reason = value }
        init(stringInterpolation: DefaultStringInterpolation) {
            reason = String(stringInterpolation: stringInterpolation)
        }
    }

    /// The provider's key `kid`, from the cached key set, refetched when stale (an hour) or when `kid` is unknown
    /// (at most once a minute).
    func signingKey(_ kid: String, discovery: SSOCache.Discovery, now: Instant) throws(EngineError) -> JWKPublicKey? {
        let (cached, fetchedAt) = ssoCache.withLock { ($0.keys[kid], $0.keysFetchedAt) }
        let age = fetchedAt.map { now.milliseconds - $0.milliseconds } ?? .max
        if let cached, age < 3_600_000 { return cached }
        if cached == nil, age < 60_000 { return nil }
        let set = try fetchJSON(FetchRequest(url: discovery.jwks), what: "the identity provider's keys")
        var keys: [String: JWKPublicKey] = [:]
        for jwk in set["keys"]?.arrayValue ?? [] {
            guard let id = jwk["kid"]?.stringValue, jwk["use"]?.stringValue ?? "sig" == "sig" else { continue }
            func bytes(_ name: String) -> [UInt8]? { jwk[name]?.stringValue.flatMap(Base64URL.decode) }
            if jwk["kty"]?.stringValue == "RSA", let n = bytes("n"), let e = bytes("e") {
                keys[id] = try? JWKPublicKey(rsaModulus: n, exponent: e)
            } else if jwk["kty"]?.stringValue == "EC", jwk["crv"]?.stringValue == "P-256", let x = bytes("x"),
                let y = bytes("y")
            {
                keys[id] = try? JWKPublicKey(p256X: x, y: y)
            }
        }
        ssoCache.withLock {
            $0.keys = keys
            $0.keysFetchedAt = now
        }
        return keys[kid]
    }

    /// The provider's discovery document, fetched once an hour.
    func discover(_ sso: SSOSettings) throws(EngineError) -> SSOCache.Discovery {
        let now = clock.now()
        if let d = ssoCache.withLock({ $0.discovery }), now.milliseconds - d.fetchedAt.milliseconds < 3_600_000 {
            return d
        }
        let url = sso.issuer.hasSuffix("/") ? sso.issuer : sso.issuer + "/"
        let doc = try fetchJSON(
            FetchRequest(url: url + ".well-known/openid-configuration"),
            what: "the identity provider's discovery document")
        guard let issuer = doc["issuer"]?.stringValue, issuer == sso.issuer,
            let authorization = doc["authorization_endpoint"]?.stringValue,
            let token = doc["token_endpoint"]?.stringValue, let jwks = doc["jwks_uri"]?.stringValue
        else {
            throw .environment(
                "the discovery document of \(sso.issuer) lacks an endpoint or names another issuer; check sso.issuer in Config/identity.json"
            )
        }
        let d = SSOCache.Discovery(
            issuer: issuer, authorization: authorization, token: token, jwks: jwks, fetchedAt: now)
        ssoCache.withLock { $0.discovery = d }
        return d
    }

    func fetchJSON(_ request: FetchRequest, what: String) throws(EngineError) -> JSONValue {
        guard let fetcher else { throw .environment("this process cannot reach the identity provider") }
        let response: FetchResponse
        do { response = try fetcher.fetch(request) } catch {
            throw .environment("\(what) at \(request.url) cannot be reached: \(error)")
        }
        guard (200..<300).contains(response.status), let json = try? JSONParser.parse(response.body) else {
            throw .environment("\(what) at \(request.url) answered \(response.status) without JSON")
        }
        return json
    }

}
