import Testing
@testable import VoiceGateCore

struct IPAddressRangeTests {
    @Test func parsesIPv4AndIPv6() {
        #expect(IPAddress("192.0.2.1")?.bytes == [192, 0, 2, 1])
        #expect(IPAddress("::1")?.bytes == Array(repeating: 0, count: 15) + [1])
        #expect(IPAddress("2001:db8::8:800:200c:417a")?.description == "2001:db8:0:0:8:800:200c:417a")
        #expect(IPAddress("::ffff:10.1.2.3")?.bytes == [10, 1, 2, 3], "IPv4-mapped addresses are IPv4")
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "01234.1.1.1", "::1::2", "1:2:3:4:5:6:7:8:9", "gggg::1", "example.com", " 1.2.3.4"] {
            #expect(IPAddress(bad) == nil, "'\(bad)' must not parse")
        }
    }

    @Test func matchesCIDRBlocks() throws {
        let private10 = try #require(IPAddressRange("10.0.0.0/8"))
        #expect(private10.contains(IPAddress("10.255.1.2")!))
        #expect(!private10.contains(IPAddress("11.0.0.1")!))
        #expect(!private10.contains(IPAddress("::1")!), "families never match each other")
        let odd = try #require(IPAddressRange("172.16.0.0/12"))
        #expect(odd.contains(IPAddress("172.31.255.255")!))
        #expect(!odd.contains(IPAddress("172.32.0.0")!))
        let single = try #require(IPAddressRange("203.0.113.7"))
        #expect(single.prefixLength == 32)
        #expect(single.contains(IPAddress("203.0.113.7")!))
        #expect(!single.contains(IPAddress("203.0.113.8")!))
        let v6 = try #require(IPAddressRange("2001:db8::/32"))
        #expect(v6.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(!v6.contains(IPAddress("2001:db9::1")!))
        #expect(IPAddressRange("0.0.0.0/0")!.contains(IPAddress("8.8.8.8")!))
    }

    @Test func refusesMalformedBlocks() {
        for bad in ["10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.1.0.0/8", "10.0.0/8", "::1/129", "10.0.0.0/8/8", "10.0.0.0/a"] {
            #expect(IPAddressRange(bad) == nil, "'\(bad)' must not parse")
        }
    }
}
