import Foundation
import CPJProject
import CVoiceGateSupport
import VoiceGateCore

/// What an incoming request says, read with pjsip's parser through the vg_request_* functions.
/// Every function here must run on the pj worker thread that received `rdata`, inside the
/// callback: rdata is gone after it.
enum InboundRequest {
    /// Caller, dialed number and privacy of an INVITE.
    static func callHeaders(_ rdata: UnsafeMutablePointer<pjsip_rx_data>) -> InboundCallHeaders {
        var headers = InboundCallHeaders()
        var id = vg_identity()
        if vg_request_uri_identity(rdata, Int32(VG_URI_REQUEST), &id) == 1 { headers.requestURI = identity(id) }
        if vg_request_uri_identity(rdata, Int32(VG_URI_TO), &id) == 1 { headers.to = identity(id) }
        if vg_request_uri_identity(rdata, Int32(VG_URI_FROM), &id) == 1 { headers.from = identity(id) }
        headers.assertedIdentities = identities(rdata, "P-Asserted-Identity")
        headers.remotePartyIDs = identities(rdata, "Remote-Party-ID")
        headers.privacy = values(rdata, "Privacy").flatMap { value in
            value.split(whereSeparator: { $0 == ";" || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        }
        return headers
    }

    /// The Digest Authorization, with the raw fields the response is checked against.
    static func digest(_ rdata: UnsafeMutablePointer<pjsip_rx_data>) -> vg_digest? {
        var digest = vg_digest()
        return vg_request_authorization(rdata, &digest) == 1 ? digest : nil
    }

    /// Every value of every header with this name, in order.
    static func values(_ rdata: UnsafeMutablePointer<pjsip_rx_data>, _ name: String, limit: Int = 8) -> [String] {
        var out: [String] = []
        var buffer = [CChar](repeating: 0, count: 1024)
        for index in 0..<limit {
            let n = vg_request_header_value(rdata, name, Int32(index), &buffer, Int32(buffer.count))
            if n < 0 { break }
            out.append(String(cString: buffer))
        }
        return out
    }

    static func callID(_ rdata: UnsafeMutablePointer<pjsip_rx_data>) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        vg_request_call_id(rdata, &buffer, Int32(buffer.count))
        return String(cString: buffer)
    }

    private static func identities(_ rdata: UnsafeMutablePointer<pjsip_rx_data>, _ name: String) -> [SIPIdentity] {
        var buffer = [vg_identity](repeating: vg_identity(), count: 4)
        let n = Int(vg_request_header_identities(rdata, name, &buffer, Int32(buffer.count)))
        return buffer.prefix(n).map(identity)
    }

    private static func identity(_ id: vg_identity) -> SIPIdentity {
        var parameters: [String: String] = [:]
        for pair in text(id.params).split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard let name = parts.first else { continue }
            parameters[name.lowercased()] = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : ""
        }
        return SIPIdentity(scheme: text(id.scheme), user: text(id.user), host: text(id.host), parameters: parameters)
    }
}

/// A NUL-terminated C char array (imported as a tuple) as a String.
func text<T>(_ tuple: T) -> String {
    withUnsafeBytes(of: tuple) { raw in String(cString: raw.bindMemory(to: CChar.self).baseAddress!) }
}
