import Foundation
import Testing
@testable import VoiceGateCore

/// One hostile target and exactly how it must be refused.
struct HostileTarget: Sendable, CustomTestStringConvertible {
    var target: String
    var refusal: TransferRefusal
    var detail: String
    var country: String? = "1"
    var organization = "+18005550100"
    var testDescription: String { TransferDecision.loggable(target).debugDescription }
}

@Suite struct TransferPolicyTests {
    static let policy = TransferPolicy(policy: OutboundPolicy())

    func decide(_ target: String, country: String? = "1", organization: String = "+18005550100", makeCalls: Bool = true,
                active: Int = 0, lastHour: Int = 0, policy: TransferPolicy = Self.policy) -> TransferDecision {
        policy.decide(target: target, organizationNumber: organization, makeCalls: makeCalls, countryCode: country,
                      activeTransfers: active, transfersInLastHour: lastHour)
    }

    static let hostile: [HostileTarget] = [
        // Premium rate, satellite, international networks, high-risk destinations.
        .init(target: "+19005550123", refusal: .destinationBlocked, detail: "blocked prefix +1900 (premium rate)"),
        .init(target: "+1 900 555 0123", refusal: .destinationBlocked, detail: "blocked prefix +1900 (premium rate)"),
        .init(target: "00 1 900 555 0123", refusal: .destinationBlocked, detail: "blocked prefix +1900 (premium rate)"),
        .init(target: "tel:+19005550123", refusal: .destinationBlocked, detail: "blocked prefix +1900 (premium rate)"),
        .init(target: "+449098790123", refusal: .destinationBlocked, detail: "blocked prefix +4490 (premium rate)"),
        .init(target: "011 44 871 234 5678", refusal: .destinationBlocked, detail: "blocked prefix +44871 (premium rate)"),
        .init(target: "+881631234567", refusal: .destinationBlocked, detail: "blocked prefix +881 (satellite)"),
        .init(target: "+870773123456", refusal: .destinationBlocked, detail: "blocked prefix +870 (satellite)"),
        .init(target: "+882345678901", refusal: .destinationBlocked, detail: "blocked prefix +882 (international network)"),
        .init(target: "+18765550123", refusal: .destinationBlocked, detail: "blocked prefix +1876 (high-risk destination)"),
        .init(target: "+252612345678", refusal: .destinationBlocked, detail: "blocked prefix +252 (high-risk destination)"),
        // Emergency numbers, as dialed and behind a country code.
        .init(target: "911", refusal: .emergencyNumber, detail: "emergency number 911"),
        .init(target: "112", refusal: .emergencyNumber, detail: "emergency number 112"),
        .init(target: "999", refusal: .emergencyNumber, detail: "emergency number 999"),
        .init(target: "  911 ", refusal: .emergencyNumber, detail: "emergency number 911"),
        .init(target: "9-1-1", refusal: .emergencyNumber, detail: "emergency number 911"),
        .init(target: "+1911", refusal: .emergencyNumber, detail: "emergency number 911"),
        .init(target: "1 911", refusal: .emergencyNumber, detail: "emergency number 911"),
        .init(target: "00112", refusal: .emergencyNumber, detail: "emergency number 112"),
        .init(target: "+44 999", refusal: .emergencyNumber, detail: "emergency number 999"),
        .init(target: "000", refusal: .emergencyNumber, detail: "emergency number 000", country: "61"),
        // Other schemes and URIs.
        .init(target: "sip:+14155550123@evil.example.com", refusal: .invalidNumber, detail: "scheme 'sip:' not allowed"),
        .init(target: "sips:+14155550123@evil.example.com", refusal: .invalidNumber, detail: "scheme 'sips:' not allowed"),
        .init(target: "SIP:+14155550123", refusal: .invalidNumber, detail: "scheme 'sip:' not allowed"),
        .init(target: "http://evil.example.com/dial?n=1", refusal: .invalidNumber, detail: "scheme 'http:' not allowed"),
        .init(target: "+14155550123@evil.example.com", refusal: .invalidNumber, detail: "'@': a URI's user@host, not a number"),
        .init(target: "<sip:+14155550123>", refusal: .invalidNumber, detail: "separator '<'"),
        .init(target: "tel:+14155550123;phone-context=x", refusal: .invalidNumber, detail: "parameters in a tel: URI (';')"),
        .init(target: "tel:+14155550123@evil.example.com", refusal: .invalidNumber, detail: "'@' after tel:"),
        .init(target: "tel:4155550123", refusal: .invalidNumber, detail: "tel: URI with a local number: only global numbers (tel:+…)"),
        .init(target: "tel:", refusal: .invalidNumber, detail: "tel: URI without a number"),
        // Injection: separators, header and query syntax, control characters.
        .init(target: "+14155550123&x=1", refusal: .invalidNumber, detail: "separator '&'"),
        .init(target: "+14155550123,+19005550123", refusal: .invalidNumber, detail: "separator ','"),
        .init(target: "+14155550123;user=phone", refusal: .invalidNumber, detail: "separator ';'"),
        .init(target: "+14155550123\r\nVia: x", refusal: .invalidNumber, detail: "control character U+000D (CR)"),
        .init(target: "+14155550123\nBye", refusal: .invalidNumber, detail: "control character U+000A (LF)"),
        .init(target: "+14155550123\0", refusal: .invalidNumber, detail: "control character U+0000 (NUL)"),
        .init(target: "%2B14155550123", refusal: .invalidNumber, detail: "separator '%'"),
        .init(target: "*67 +14155550123", refusal: .invalidNumber, detail: "separator '*'"),
        .init(target: "+14155550123#", refusal: .invalidNumber, detail: "separator '#'"),
        .init(target: "+14155550123'--", refusal: .invalidNumber, detail: "separator \"'\""),
        .init(target: "+1415\"5550123", refusal: .invalidNumber, detail: "separator '\"'"),
        .init(target: "+1 415 555 0123/x", refusal: .invalidNumber, detail: "separator '/'"),
        .init(target: "+1\\4155550123", refusal: .invalidNumber, detail: "separator '\\'"),
        .init(target: "+1:4155550123", refusal: .invalidNumber, detail: "separator ':'"),
        .init(target: "+1415+5550123", refusal: .invalidNumber, detail: "'+' inside the number"),
        // Look-alike digits.
        .init(target: "+１４１５５５５０１２３", refusal: .invalidNumber, detail: "non-ASCII character U+FF11"),
        .init(target: "+14155550123\u{200B}", refusal: .invalidNumber, detail: "non-ASCII character U+200B"),
        // Letters, length, nothing at all.
        .init(target: "+1415CALLNOW", refusal: .invalidNumber, detail: "letters in the number"),
        .init(target: "1-800-FLOWERS", refusal: .invalidNumber, detail: "letters in the number"),
        .init(target: "+12345678901234567890", refusal: .invalidNumber, detail: "20 digits: longer than E.164's 15"),
        .init(target: "004412345678901234567", refusal: .invalidNumber, detail: "19 digits: longer than E.164's 15"),
        .init(target: "+44123", refusal: .invalidNumber, detail: "5 digits: shorter than 7, the shortest international number"),
        .init(target: "+1415555012", refusal: .invalidNumber, detail: "+1 numbers have 10 digits after the 1, not 9"),
        .init(target: "+0014155550123", refusal: .invalidNumber, detail: "a country calling code cannot start with 0"),
        .init(target: "", refusal: .invalidNumber, detail: "empty"),
        .init(target: " \t ", refusal: .invalidNumber, detail: "only whitespace"),
        .init(target: "+", refusal: .invalidNumber, detail: "'+' and no digits"),
        .init(target: "00", refusal: .invalidNumber, detail: "international prefix 00 with no number after it"),
        .init(target: "()", refusal: .invalidNumber, detail: "no digits"),
        // National numbers that cannot be placed without guessing.
        .init(target: "4155550123", refusal: .invalidNumber,
              detail: "a national number and no country code to place it: write it with + and the country code",
              country: nil, organization: "*"),
        .init(target: "912345678", refusal: .invalidNumber,
              detail: "a national number without the trunk prefix 0: it cannot be placed in +34 without guessing", country: "34"),
        .init(target: "415555012", refusal: .invalidNumber, detail: "9 digits: a national number in +1 has 10"),
        // Outside the allowed prefixes (the organization's own country by default).
        .init(target: "+442079460000", refusal: .destinationNotAllowed, detail: "+44 is outside the allowed prefixes +1"),
        .init(target: "+14155550123", refusal: .destinationNotAllowed,
              detail: "no allowed prefixes: the organization number has no country", organization: "*"),
    ]

    @Test("hostile targets are refused, each with its own reason", arguments: hostile)
    func hostileTargetsAreRefused(_ c: HostileTarget) {
        let decision = decide(c.target, country: c.country, organization: c.organization)
        #expect(decision.refusal == c.refusal)
        #expect(decision.detail == c.detail)
        #expect(!decision.allowed)
        // What goes into logs carries no line breaks or NULs, and stays short.
        #expect(!decision.target.unicodeScalars.contains { $0.properties.generalCategory == .control })
        #expect(decision.target.unicodeScalars.count <= 64)
    }

    @Test("the table covers every refusal a target can cause")
    func tableIsBroad() {
        #expect(Self.hostile.count >= 24)
        #expect(Set(Self.hostile.map(\.refusal)) == [.invalidNumber, .emergencyNumber, .destinationBlocked, .destinationNotAllowed])
    }

    @Test("accepted forms become E.164", arguments: [
        ("+14155550123", "1", "+14155550123"),
        ("+1 (415) 555-0123", "1", "+14155550123"),
        ("+1.415.555.0123", nil, "+14155550123"),
        ("4155550123", "1", "+14155550123"),
        ("1 415 555 0123", "1", "+14155550123"),
        ("tel:+14155550123", "1", "+14155550123"),
        ("TEL:+1-415-555-0123", "1", "+14155550123"),
        ("020 7946 0000", "44", "+442079460000"),
        ("0044 20 7946 0000", "1", "+442079460000"),
        ("011 44 20 7946 0000", "1", "+442079460000"),
        ("0114 234 5678", "44", "+441142345678"),
        ("+683 4002", nil, "+6834002"),
    ] as [(String, String?, String)])
    func acceptedForms(raw: String, country: String?, expected: String) {
        #expect(TransferTarget.normalize(raw, countryCode: country, emergencyNumbers: OutboundPolicy.defaultEmergencyNumbers) == .success(expected))
    }

    @Test("international forms are allowed only inside the allowed prefixes")
    func allowedPrefixes() {
        let target = "011 44 20 7946 0000"
        #expect(decide(target).refusal == .destinationNotAllowed)
        #expect(decide(target).normalized == "+442079460000")
        let wider = TransferPolicy(policy: OutboundPolicy(allowedPrefixes: ["+1", "+44"]))
        let allowed = decide(target, policy: wider)
        #expect(allowed.allowed && allowed.normalized == "+442079460000" && allowed.refusal == nil)
        #expect(allowed.target == target)
        #expect(decide("+14155550123").allowed)
        // The national form takes the organization number's country when the trunk has none.
        #expect(decide("4155550123", country: nil).normalized == "+14155550123")
        #expect(decide("4155550123", country: "").normalized == "+14155550123")
        #expect(decide("020 7946 0001", country: nil, organization: "+442079460000").normalized == "+442079460001")
        #expect(decide("020 7946 0001", country: nil, organization: "+442079460000").allowed)
        // A prefix narrower than a country names the number, not the country.
        let narrow = TransferPolicy(policy: OutboundPolicy(allowedPrefixes: ["+1212", "+1646"]))
        #expect(decide("+14155550123", policy: narrow).detail == "+14155550123 is outside the allowed prefixes +1212, +1646")
        #expect(decide("+12125550123", policy: narrow).allowed)
        // Blocked wins over allowed: a premium number is blocked even inside an allowed prefix.
        let premium = TransferPolicy(policy: OutboundPolicy(allowedPrefixes: ["+1900"]))
        #expect(decide("+19005550123", policy: premium).refusal == .destinationBlocked)
        // An operator's own list replaces the default one.
        let open = TransferPolicy(policy: OutboundPolicy(blockedPrefixes: [.init("+1415", "not here")]))
        #expect(decide("+19005550123", policy: open).allowed)
        #expect(decide("+14155550123", policy: open).detail == "blocked prefix +1415 (not here)")
    }

    @Test("the longest blocked prefix names the reason")
    func longestBlockedPrefix() {
        let policy = OutboundPolicy(blockedPrefixes: [.init("+44", "country"), .init("+4490", "premium rate")])
        #expect(policy.blockedPrefix(of: "+449098790123")?.label == "premium rate")
        #expect(policy.blockedPrefix(of: "+442079460000")?.label == "country")
        #expect(policy.blockedPrefix(of: "+14155550123") == nil)
    }

    @Test("a missing make-calls privilege wins over everything, even an invalid or emergency target")
    func privilegeFirst() {
        for target in ["+14155550123", "sip:+1@evil.example.com", "911", "+19005550123", "", "+1415\r\nVia: x"] {
            let d = decide(target, makeCalls: false, active: 99, lastHour: 99)
            #expect(d.refusal == .makeCallsPrivilegeMissing, "\(target)")
            #expect(d.normalized == nil)
            #expect(d.detail == "+18005550100 does not hold the make-calls privilege")
        }
        #expect(TransferRefusal.makeCallsPrivilegeMissing.rawValue == "make_calls_privilege_missing")
        #expect(TransferRefusal.allCases.map(\.rawValue) == [
            "make_calls_privilege_missing", "invalid_number", "emergency_number", "destination_blocked",
            "destination_not_allowed", "transfer_limit_concurrent", "transfer_limit_hourly",
        ])
    }

    @Test("the target kept for logs is cut to 64 characters, control characters replaced")
    func loggableTarget() {
        #expect(decide("+14155550123\r\nVia: x").target == "+14155550123??Via: x")
        let long = decide(String(repeating: "9", count: 500))
        #expect(long.target == String(repeating: "9", count: 64))
        #expect(long.detail == "500 digits: longer than E.164's 15")
        #expect(decide("\u{7}").target == "?")
        // A caller-chosen organization number (catch-all) is made safe too.
        #expect(decide("+1", organization: "+1\r\n", makeCalls: false).detail == "+1?? does not hold the make-calls privilege")
    }

    @Test("limits come last, per organization number, counted by the ledger")
    func limits() {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let org = "+18005550100"
        var ledger = TransferLedger()
        func attempt(at time: Date, number: String = org) -> TransferDecision {
            let (active, lastHour) = ledger.counts(for: number, at: time)
            let d = decide("+14155550123", organization: number, active: active, lastHour: lastHour)
            if d.allowed { ledger.began(number, at: time) }
            return d
        }
        #expect(attempt(at: start).allowed)
        #expect(attempt(at: start + 1).allowed)
        let third = attempt(at: start + 2)
        #expect(third.refusal == .concurrentLimit)
        #expect(third.normalized == "+14155550123")
        #expect(third.detail == "2 transfers in progress from +18005550100 (limit 2)")
        // Another number has limits of its own.
        #expect(attempt(at: start + 2, number: "+18005550199").allowed)
        // A refused target does not use up a slot: the limits are checked after the target.
        #expect(decide("+19005550123", active: 2, lastHour: 20).refusal == .destinationBlocked)

        ledger.ended(org)
        #expect(ledger.counts(for: org, at: start + 3) == (1, 2))
        ledger.ended(org)
        ledger.ended(org)   // a stray end never goes below zero
        #expect(ledger.counts(for: org, at: start + 3) == (0, 2))

        // 20 an hour: after 20 allowed starts, the 21st waits until the first leaves the window.
        for i in 2..<20 {
            #expect(attempt(at: start + Double(10 + i)).allowed)
            ledger.ended(org)
        }
        #expect(ledger.counts(for: org, at: start + 100) == (0, 20))
        let hourly = attempt(at: start + 100)
        #expect(hourly.refusal == .hourlyLimit)
        #expect(hourly.detail == "20 transfers from +18005550100 in the last hour (limit 20)")
        #expect(ledger.counts(for: org, at: start + 3600).lastHour == 19)
        #expect(attempt(at: start + 3600).allowed)
        // The concurrent limit is checked before the hourly one.
        #expect(decide("+14155550123", active: 2, lastHour: 20).refusal == .concurrentLimit)
    }

    @Test("the ledger forgets what left the hour")
    func ledgerPrunes() {
        let t = Date(timeIntervalSince1970: 1_000)
        var ledger = TransferLedger()
        ledger.began("+1", at: t)
        ledger.began("+1", at: t + 10)
        #expect(ledger.counts(for: "+1", at: t + 3599).lastHour == 2)
        #expect(ledger.counts(for: "+1", at: t + 3600).lastHour == 1)
        ledger.prune(at: t + 7200)
        #expect(ledger.counts(for: "+1", at: t).lastHour == 0)
        #expect(ledger.counts(for: "+1", at: t).active == 2)
        #expect(ledger.counts(for: "+2", at: t) == (0, 0))
    }

    @Test("country calling codes follow the ITU zones", arguments: [
        ("+18005550100", "1"), ("+79161234567", "7"), ("+442079460000", "44"), ("+8816312345678", "881"),
        ("+201001234567", "20"), ("+212612345678", "212"), ("+353123456789", "353"), ("+8613812345678", "86"),
        ("+98912345678", "98"), ("+96612345678", "966"), ("+27821234567", "27"), ("+2712", "27"), ("+1", "1"),
    ])
    func countryCallingCodes(number: String, code: String) {
        #expect(CountryCallingCode.of(number) == code)
    }

    @Test("no calling code without '+' and digits")
    func noCountryCallingCode() {
        for text in ["18005550100", "+", "+0123456", "+4", "+35", "*", "+1a", "", "+１"] {
            #expect(CountryCallingCode.of(text) == nil, "\(text)")
        }
    }

    @Test func defaults() {
        let p = OutboundPolicy()
        #expect(p.allowedPrefixes == nil)
        #expect(p.maxConcurrentTransfersPerNumber == 2 && p.maxTransfersPerHourPerNumber == 20)
        #expect(p.blockedPrefixes == OutboundPolicy.defaultBlockedPrefixes)
        for e in ["911", "112", "999", "000", "110", "119"] { #expect(p.emergencyNumbers.contains(e)) }
        // Every default prefix is well formed, listed once, and labelled with one of the four reasons.
        let labels: Set = ["premium rate", "satellite", "international network", "high-risk destination"]
        for prefix in OutboundPolicy.defaultBlockedPrefixes {
            #expect(labels.contains(prefix.label), "\(prefix)")
            #expect(prefix.prefix.hasPrefix("+") && prefix.prefix.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }, "\(prefix)")
        }
        #expect(Set(OutboundPolicy.defaultBlockedPrefixes.map(\.prefix)).count == OutboundPolicy.defaultBlockedPrefixes.count)
        #expect(p.effectiveAllowedPrefixes(organizationNumber: "+442079460000") == ["+44"])
        #expect(p.effectiveAllowedPrefixes(organizationNumber: "*") == [])
    }
}
