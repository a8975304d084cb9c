import Foundation
import RegieCore
import RegieEngine
import RegieNotify
import Testing

/// A small OpenID Connect provider on loopback, in Python with `cryptography` signing its tokens: discovery, keys
/// (an RSA key `k1` and a P-256 key `e1`), an authorization endpoint that approves at once, and a token endpoint
/// that checks the PKCE verifier and issues the ID token a test asks for: a good one, or one with the wrong
/// audience, expired, with a bad signature, with the nonce of an earlier login, or signed by an unpublished key.
final class TestIdentityProvider {
    let process = Process()
    let port: Int
    var issuer: String { "http://127.0.0.1:\(port)" }
    let fetcher = CurlFetcher()

    static let script = #"""
        import base64, hashlib, json, os, sys, time, urllib.parse
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import rsa, ec, padding, utils

        def b64(b): return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
        def num(n, size): return b64(n.to_bytes(size, "big"))
        keys = {"k1": rsa.generate_private_key(public_exponent=65537, key_size=2048),
                "k9": rsa.generate_private_key(public_exponent=65537, key_size=2048),
                "e1": ec.generate_private_key(ec.SECP256R1())}
        def jwk(kid):
            pub = keys[kid].public_key().public_numbers()
            if kid.startswith("e"):
                return {"kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "x": num(pub.x, 32), "y": num(pub.y, 32)}
            return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": num(pub.n, 256), "e": num(pub.e, 3)}
        def sign(claims, kid):
            alg = "ES256" if kid.startswith("e") else "RS256"
            header = b64(json.dumps({"alg": alg, "kid": kid, "typ": "JWT"}).encode())
            payload = b64(json.dumps(claims).encode())
            data = f"{header}.{payload}".encode()
            if alg == "RS256":
                sig = keys[kid].sign(data, padding.PKCS1v15(), hashes.SHA256())
            else:
                r, s = utils.decode_dss_signature(keys[kid].sign(data, ec.ECDSA(hashes.SHA256())))
                sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
            return f"{header}.{payload}.{b64(sig)}"

        codes, nonces = {}, []
        scenario = {"name": "good", "now": int(time.time()), "user": "j.devries", "kid": "k1", "claims": {}}

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args): pass
            def answer(self, status, body, headers=()):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers: self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
            def do_GET(self):
                url = urllib.parse.urlparse(self.path)
                issuer = f"http://127.0.0.1:{self.server.server_port}"
                if url.path == "/.well-known/openid-configuration":
                    return self.answer(200, {"issuer": issuer, "authorization_endpoint": issuer + "/authorize",
                        "token_endpoint": issuer + "/token", "jwks_uri": issuer + "/jwks",
                        "id_token_signing_alg_values_supported": ["RS256", "ES256"]})
                if url.path == "/jwks":
                    return self.answer(200, {"keys": [jwk("k1"), jwk("e1")]})
                if url.path == "/authorize":
                    q = dict(urllib.parse.parse_qsl(url.query))
                    assert q["response_type"] == "code" and q["code_challenge_method"] == "S256", q
                    code = b64(os.urandom(16))
                    codes[code] = q
                    nonces.append(q["nonce"])
                    location = q["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": q["state"]})
                    return self.answer(302, {"location": location}, [("Location", location)])
                self.answer(404, {})
            def do_POST(self):
                global scenario
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                if self.path == "/scenario":
                    given = dict(urllib.parse.parse_qsl(body))
                    scenario = {"name": given["name"], "now": int(given["now"]), "user": given["user"],
                                "kid": given["kid"], "claims": json.loads(given["claims"])}
                    return self.answer(200, scenario)
                form = dict(urllib.parse.parse_qsl(body))
                q = codes.pop(form.get("code", ""), None)
                if q is None or form.get("grant_type") != "authorization_code" or form.get("client_id") != q["client_id"] \
                        or form.get("redirect_uri") != q["redirect_uri"]:
                    return self.answer(400, {"error": "invalid_grant"})
                if b64(hashlib.sha256(form.get("code_verifier", "").encode()).digest()) != q["code_challenge"]:
                    return self.answer(400, {"error": "invalid_grant", "error_description": "PKCE"})
                now, name, kid = scenario["now"], scenario["name"], scenario["kid"]
                issuer = f"http://127.0.0.1:{self.server.server_port}"
                claims = {"iss": issuer, "aud": q["client_id"], "sub": "sub-" + scenario["user"],
                          "preferred_username": scenario["user"], "name": "Jan de Vries", "nonce": q["nonce"],
                          "iat": now, "exp": now + 300, **scenario["claims"]}
                if name == "wrong-aud": claims["aud"] = "een-andere-app"
                if name == "expired": claims["iat"], claims["exp"] = now - 7200, now - 3600
                if name == "replayed-nonce": claims["nonce"] = nonces[-2]
                if name == "unknown-kid": kid = "k9"
                token = sign(claims, kid)
                if name == "bad-signature":
                    head, payload, sig = token.split(".")
                    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
                    raw[10] ^= 1
                    token = f"{head}.{payload}.{b64(bytes(raw))}"
                self.answer(200, {"access_token": "x", "token_type": "Bearer", "id_token": token})

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_port, flush=True)
        server.serve_forever()
        """#

    init() throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = ""
        while !line.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += String(decoding: chunk, as: UTF8.self)
        }
        port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        if port == 0 { throw IdPError("the test identity provider did not start") }
    }

    // Killed, not waited for: Foundation reaps it, and waiting from a test's thread can hang on Linux.
    deinit { kill(process.processIdentifier, SIGKILL) }

    /// Sets what the next token looks like: `good`, `wrong-aud`, `expired`, `bad-signature`, `replayed-nonce`,
    /// `unknown-kid`; issued at `now`.
    func scenario(
        _ name: String, now: Instant, user: String = "j.devries", kid: String = "k1", claims: JSONObject = JSONObject()
    )
        throws
    {
        let response = try fetcher.fetch(
            FetchRequest(
                url: "\(issuer)/scenario",
                form: [
                    ("name", name), ("now", String(now.milliseconds / 1000)), ("user", user), ("kid", kid),
                    ("claims", JSONValue.object(claims).compactText),
                ]))
        if response.status != 200 { throw IdPError("the scenario was refused") }
    }

    /// Follows the authorization redirect as a browser would (the provider approves at once) and returns where it
    /// sends the browser back.
    func authorize(_ url: String) throws -> String {
        let response = try fetcher.fetch(FetchRequest(url: url))
        guard response.status == 302, let location = try JSONParser.parse(response.body)["location"]?.stringValue else {
            throw IdPError("the provider answered \(response.status)")
        }
        return location
    }

    /// The settings for Regie to use this provider.
    var settings: SSOSettings {
        SSOSettings(issuer: issuer, clientId: "regie", redirectURI: "http://127.0.0.1/inloggen/sso/terug")
    }
}

struct IdPError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
