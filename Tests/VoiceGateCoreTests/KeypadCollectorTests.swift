import Testing
import Foundation
@testable import VoiceGateCore

@Suite struct KeypadCollectorTests {
    let t0 = Date(timeIntervalSince1970: 1_000)

    @Test func poundEndsTheInput() {
        var keypad = KeypadCollector(interDigitTimeout: 3)
        #expect(keypad.key("1", at: t0) == nil)
        #expect(keypad.key("2", at: t0 + 1) == nil)
        #expect(keypad.key("#", at: t0 + 2) == "12#", "as keyed: the bot sees the '#' in channelData.digits")
        #expect(keypad.key("#", at: t0 + 3) == "#", "a lone # is an input of its own")
    }

    @Test func theValueOfAnInputLeavesOutItsPound() {
        #expect(KeypadCollector.value(of: "12#") == "12")
        #expect(KeypadCollector.value(of: "42") == "42", "ended by a pause")
        #expect(KeypadCollector.value(of: "#") == "#", "a lone # means itself")
        #expect(KeypadCollector.value(of: "*#") == "*")
    }

    @Test func aPauseEndsTheInput() {
        var keypad = KeypadCollector(interDigitTimeout: 3)
        _ = keypad.key("4", at: t0)
        _ = keypad.key("2", at: t0 + 2.5)
        #expect(keypad.tick(at: t0 + 5) == nil)
        #expect(keypad.tick(at: t0 + 5.6) == "42")
        #expect(keypad.tick(at: t0 + 10) == nil, "once only")
        // A key after the timeout, with no tick in between, still closes the earlier input.
        _ = keypad.key("7", at: t0 + 20)
        #expect(keypad.key("8", at: t0 + 30) == "7")
        #expect(keypad.pending == "8")
    }

    @Test func theLastExpectedDigitEndsTheInput() {
        var keypad = KeypadCollector(interDigitTimeout: 3, maxDigits: 3)
        _ = keypad.key("1", at: t0)
        _ = keypad.key("2", at: t0)
        #expect(keypad.key("3", at: t0) == "123")
        keypad.maxDigits = nil
        _ = keypad.key("9", at: t0 + 1)
        keypad.discard()
        #expect(keypad.tick(at: t0 + 10) == nil, "discarded keys are gone, not buffered")
    }
}
