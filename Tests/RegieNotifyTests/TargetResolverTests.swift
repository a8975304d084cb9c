import Synchronization
import RegieStore
import RegieEngine
import Foundation
import RegieCore
import RegieHTTP
import Testing

@testable import RegieNotify

/// The deliverer's own name resolution: every address a name resolves to is checked, refused ones are dropped,
/// and the connection is pinned to the ones that remain.
@Suite struct TargetResolverTests {
    static func resolver(_ answers: [String: [String]], allowed: [String] = []) -> TargetResolver {
        TargetResolver(policy: AddressPolicy(allowed: allowed.compactMap(Network.init))) { host in
            guard let list = answers[host] else { return .failure(.init(description: "cannot resolve \(host)")) }
            return .success(list.compactMap(IPAddress.init))
        }
    }

    @Test(arguments: [
        ("127.0.0.1", "loopback"), ("10.0.0.8", "private"), ("172.20.1.1", "private"), ("192.168.2.2", "private"),
        ("100.100.0.1", "shared (CGNAT)"), ("169.254.169.254", "link-local"), ("224.0.0.251", "multicast"),
        ("198.51.100.7", "reserved"), ("0.0.0.0", "unspecified"), ("::1", "loopback"), ("fe80::1", "link-local"),
        ("fd00::1", "private"), ("::ffff:10.0.0.1", "IPv4-mapped IPv6"), ("ff02::1", "multicast"),
    ])
    func aNameResolvingToAForbiddenClassIsRefused(address: String, refusal: String) {
        let r = Self.resolver(["hooks.partner.nl": [address]])
        guard case .failure(let problem) = r.target(for: "https://hooks.partner.nl/regie") else {
            Issue.record("\(address) was let through")
            return
        }
        #expect(problem.description.contains("(\(refusal))"))
        #expect(problem.description.contains("allowedNetworks"))
    }

    @Test func onlyCheckedAddressesArePinnedAndTheAllowListOpensANetwork() {
        let mixed = Self.resolver(["h.nl": ["10.0.0.1", "93.184.216.34", "2a00:1450::5"]])
        #expect(
            mixed.target(for: "https://h.nl/x") == .success(.init(pin: "h.nl:443:93.184.216.34,[2a00:1450::5]")),
            "the private address is dropped; the connection can only go to the checked ones")
        let gov = Self.resolver(["gemnet.nl": ["10.20.3.4"]], allowed: ["10.20.0.0/16"])
        #expect(gov.target(for: "http://gemnet.nl:8443/x") == .success(.init(pin: "gemnet.nl:8443:10.20.3.4")))
        #expect(gov.target(for: "http://10.20.9.9/x") == .success(.init(pin: nil)), "an allowed address URL")
        #expect(gov.target(for: "http://[::1]/x") != .success(.init(pin: nil)))
        guard case .failure(let p) = gov.target(for: "https://nowhere.nl/x") else {
            Issue.record("an unknown name was let through")
            return
        }
        #expect(p.description.contains("cannot resolve nowhere.nl"))
    }

    @Test func aNameIsCheckedAgainWhenItsCacheRunsOut() {
        final class Answer: Sendable { let address = Mutex("93.184.216.34") }
        let answer = Answer()
        let r = TargetResolver(policy: AddressPolicy(), cacheSeconds: 0) { _ in
            .success([IPAddress(answer.address.withLock { $0 })!])
        }
        #expect(r.target(for: "https://rebind.nl/") == .success(.init(pin: "rebind.nl:443:93.184.216.34")))
        answer.address.withLock { $0 = "127.0.0.1" }
        #expect(r.target(for: "https://rebind.nl/") != .success(.init(pin: "rebind.nl:443:127.0.0.1")))
    }

    /// The pin is what libcurl connects to: a name that no DNS knows reaches the receiver through it.
    @Test func theDelivererConnectsToThePinnedAddress() throws {
        let h = try NotifyHarness(settings: DeliveryTests.settings())
        let receiver = try Receiver()
        _ = try h.engine.addWebhook(
            partner: "bw-aanbieder", url: "http://hooks.partner.invalid:\(receiver.port)/hook", events: ["*"],
            format: .thin)
        let deliverer = try Deliverer(
            engine: h.engine, unit: { 0 },
            lookup: { host in host == "hooks.partner.invalid" ? .success([IPAddress("127.0.0.1")!]) : .success([]) })
        _ = try h.openCase()
        #expect(try deliverer.runUntilIdle() == 1)
        #expect(receiver.received.count == 1)
        #expect(try h.engine.deliveries().first?.status == .delivered)
    }
}
