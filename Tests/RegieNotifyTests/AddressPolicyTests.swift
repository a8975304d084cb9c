import RegieCore
import Testing

@Suite struct AddressPolicyTests {
    @Test(arguments: [
        ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"), ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"), ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("172.31.255.255", "private"),
        ("192.168.1.1", "private"), ("fd12:3456::1", "private"), ("100.64.0.1", "shared (CGNAT)"),
        ("100.127.255.254", "shared (CGNAT)"), ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"), ("192.0.2.1", "reserved"), ("2001:db8::1", "reserved"),
        ("::ffff:127.0.0.1", "IPv4-mapped IPv6"), ("::ffff:8.8.8.8", "IPv4-mapped IPv6"),
    ])
    func specialAddressesAreRefused(address: String, refusal: String) throws {
        let a = try #require(IPAddress(address))
        #expect(AddressPolicy().refusal(for: a)?.rawValue == refusal)
    }

    @Test(arguments: ["8.8.8.8", "145.21.1.1", "172.32.0.1", "100.128.0.1", "2a00:1450:400e::200e"])
    func globalAddressesAreAllowed(address: String) throws {
        #expect(AddressPolicy().refusal(for: try #require(IPAddress(address))) == nil)
    }

    @Test func theAllowListOpensOnlyItsNetworks() throws {
        let policy = AddressPolicy(allowed: [try #require(Network("10.20.0.0/16")), try #require(Network("::1"))])
        #expect(policy.refusal(for: try #require(IPAddress("10.20.3.4"))) == nil)
        #expect(policy.refusal(for: try #require(IPAddress("10.21.3.4"))) == .privateNetwork)
        #expect(policy.refusal(for: try #require(IPAddress("::1"))) == nil)
        #expect(policy.refusal(for: try #require(IPAddress("127.0.0.1"))) == .loopback)
        #expect(Network("10.0.0.0/33") == nil && Network("nonsense/8") == nil)
    }
}
