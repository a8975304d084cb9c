import Testing

@testable import RegieCore

@Suite struct IdentitySettingsTests {
    @Test func theShippedFileAndDefaultsAreTheSafeOnes() throws {
        let s = try IdentitySettings.load(Array("{}".utf8), file: "identity.json")
        #expect(s == IdentitySettings())
        #expect(s.secondFactor && s.secureCookies && s.sso == nil)
        #expect(s.sessionIdleSeconds == 900 && s.sessionAbsoluteSeconds == 28_800 && s.lockAfterFailures == 5)
    }

    @Test func everyMistakeIsNamedWithItsPathAndFix() {
        let text =
            #"{"sessionIdleMinutes": 600, "sessionAbsoluteHours": 8, "secondFactor": "ja", "typo": 1,"#
            + #""sso": {"issuer": "http://idp.example", "clientId": "", "scopes": ["profile"]}}"#
        #expect {
            try IdentitySettings.load(Array(text.utf8), file: "identity.json")
        } throws: { error in
            guard let failure = error as? ValidationFailure else { return false }
            let paths = failure.problems.map(\.path)
            return Set(paths) == [
                "$.typo", "$.secondFactor", "$.sso.issuer", "$.sso.clientId", "$.sso.redirectURI", "$.sso.scopes",
                "$.sessionIdleMinutes",
            ] && failure.problems.allSatisfy { $0.fix != nil }
        }
    }

    @Test func singleSignOnIsReadWithItsClaims() throws {
        let text = #"""
            {"sso": {"issuer": "https://login.example.nl/realms/regio", "clientId": "regie",
                     "redirectURI": "https://regie.example.nl/inloggen/sso/terug", "organisationClaim": "org",
                     "rolesClaim": "rollen", "scopes": ["openid", "email"]}}
            """#
        let sso = try #require(try IdentitySettings.load(Array(text.utf8), file: "identity.json").sso)
        #expect(sso.clientId == "regie" && sso.loginClaim == "preferred_username" && sso.scopes == ["openid", "email"])
        #expect(sso.organisationClaim == "org" && sso.rolesClaim == "rollen" && sso.clientSecretFile == nil)
    }
}
