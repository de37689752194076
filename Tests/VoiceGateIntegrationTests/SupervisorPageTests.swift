import Testing
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension Integration {
    /// The supervisor page (README "Supervisor page") in a real browser: headless Chromium loads it
    /// from a real gateway, runs its script against the admin API, and the dumped DOM is read for
    /// the page's data attributes. Screenshots go to the test's folder and to
    /// /tmp/voicegate-screens/ (their paths are printed).
    @Suite(.serialized)
    struct SupervisorPageTests {
        static let caller = "+14155550123"
        static let dialed = "+18005550100"
        static let screens = URL(fileURLWithPath: "/tmp/voicegate-screens")
        /// Would set `data-pwned` on the body if it ever ran.
        static let imagePayload = "<img src=x onerror=document.body.dataset.pwned=1>"
        static let scriptPayload = "<script>document.body.dataset.pwned=2</script>"

        static func url(_ gateway: GatewayProcess, _ path: String, token: String? = GatewayProcess.adminToken) -> String {
            "http://127.0.0.1:\(gateway.httpPort)\(path)" + (token.map { "#token=\($0)" } ?? "")
        }

        /// A screenshot in the gateway's folder, copied to /tmp/voicegate-screens/; its path printed.
        static func screenshot(_ gateway: GatewayProcess, _ url: String, name: String, height: Int = 1000) throws {
            let file = gateway.folder.appendingPathComponent(name)
            try HeadlessBrowser.screenshot(url, to: file, height: height)
            try FileManager.default.createDirectory(at: screens, withIntermediateDirectories: true)
            let copy = screens.appendingPathComponent(name)
            try? FileManager.default.removeItem(at: copy)
            try FileManager.default.copyItem(at: file, to: copy)
            print("supervisor page screenshot: \(copy.path)")
        }

        static func live(_ dom: DumpedDOM, _ id: String) -> DumpedDOM.Element? {
            dom.element("tr", ["data-conversation-id": id])
        }

        @Test("the page is served at / and /conversations/{id} without a token, with its CSP, and loads nothing from elsewhere")
        func served() async throws {
            let gateway = try GatewayProcess()
            for path in ["/", "/conversations/5f0c3f6e-0000-4000-8000-000000000000", "/conversations/x"] {
                let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(gateway.httpPort)\(path)")!)
                let http = try #require(response as? HTTPURLResponse)
                #expect(http.statusCode == 200, "\(path)")
                #expect(http.value(forHTTPHeaderField: "Content-Type") == "text/html; charset=utf-8")
                #expect(http.value(forHTTPHeaderField: "Content-Security-Policy") ==
                        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
                #expect(http.value(forHTTPHeaderField: "Cache-Control") == "no-store")
                #expect(http.value(forHTTPHeaderField: "X-Content-Type-Options") == "nosniff")
                #expect(http.value(forHTTPHeaderField: "Referrer-Policy") == "no-referrer")
                let html = String(decoding: data, as: UTF8.self)
                #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("</html>"))
                // Nothing external: every src/href/action is relative to this gateway or data:,
                // no CSS import or url(), no protocol-relative URL, and the only absolute URL is
                // the SVG namespace name (an identifier, never fetched).
                let regex = try NSRegularExpression(pattern: #"\b(?:src|href|action)\s*=\s*["']([^"']*)["']"#)
                let ns = html as NSString
                for m in regex.matches(in: html, range: NSRange(location: 0, length: ns.length)) {
                    let value = ns.substring(with: m.range(at: 1))
                    #expect((value.hasPrefix("/") && !value.hasPrefix("//")) || value.hasPrefix("data:"), "external reference: \(value)")
                }
                #expect(!html.contains("@import") && !html.contains("url("))
                #expect(!html.contains("\"//") && !html.contains("'//"))
                let absolute = html.components(separatedBy: "http").dropFirst().filter { $0.hasPrefix("://") || $0.hasPrefix("s://") }
                #expect(absolute.allSatisfy { $0.hasPrefix("://www.w3.org/2000/svg") }, "\(absolute.map { $0.prefix(40) })")
                #expect(!html.contains(GatewayProcess.adminToken))
            }
            // Other methods: a JSON 405; the API still needs its token; other paths stay 404.
            var post = URLRequest(url: URL(string: "http://127.0.0.1:\(gateway.httpPort)/")!)
            post.httpMethod = "POST"
            let (body, response) = try await URLSession.shared.data(for: post)
            #expect((response as? HTTPURLResponse)?.statusCode == 405)
            #expect(String(decoding: body, as: UTF8.self).contains("method_not_allowed"))
            #expect(try await gateway.api("/api/v1/conversations", token: nil).0 == 401)
            #expect(try await gateway.get("/conversations/a/b").0 == 404)
            #expect(try await gateway.get("/index.html").0 == 404)
            #expect(gateway.stop() == 0)
        }

        @Test("without a token the page shows the login form; a wrong #token= shows it again with a message and leaves the address bar")
        func login() async throws {
            let gateway = try GatewayProcess()
            let plain = try HeadlessBrowser.dumpDOM(Self.url(gateway, "/", token: nil), virtualTimeMilliseconds: 1500)
            #expect(plain.body["data-view"] == "login", "\(plain.body)")
            #expect(plain.body["data-ready"] == nil)
            #expect(plain.element("form", ["id": "login"]) != nil)
            #expect(plain.element("p", ["id": "login-message", "hidden": nil]) != nil, "no message before any attempt")

            let wrong = "wrong-token-0123456789abcdef"
            let refused = try HeadlessBrowser.dumpDOM(Self.url(gateway, "/conversations/x", token: wrong), virtualTimeMilliseconds: 2000)
            #expect(refused.body["data-view"] == "login", "\(refused.body)")
            let message = try #require(refused.element("p", ["id": "login-message"]))
            #expect(message.attributes["hidden"] == nil && message.text.contains("not accepted"), "\(message.text)")
            #expect(!refused.html.contains(wrong), "the token reached the DOM")
            try Self.screenshot(gateway, Self.url(gateway, "/", token: wrong), name: "supervisor-login.png", height: 700)
            #expect(gateway.stop() == 0)
        }

        @Test("a live call shows on the dashboard; once it ended it leaves the live table, counts in the figures, and its page shows the transcript")
        func liveCall() async throws {
            let gateway = try GatewayProcess(configuration: [
                "trunks": [["name": "carrier", "sources": ["127.0.0.0/8"], "defaultCountryCode": "1"]],
            ])
            // A key, then the line stays open until the test hangs up.
            let phone = try SoftphoneProcess([Self.dialed, "--from", Self.caller, "--gateway", "127.0.0.1:\(gateway.sipPort)", "--script", "s.txt"],
                                             files: ["s.txt": "dtmf 1\npause 60\n"])
            let answered = try #require(gateway.waitFor(event: "call.answered"), "\(phone.stderr)")
            let id = try #require(answered["conversation"])
            _ = try #require(gateway.waitFor(event: "call.dtmf"))
            let listed = try await eventually {
                let (status, live) = try await gateway.api("/api/v1/live")
                return status == 200 && (live["conversations"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == id }
            }
            try #require(listed, "GET /api/v1/live does not list \(id)")

            let dashboard = try HeadlessBrowser.dumpDOM(Self.url(gateway, "/"))
            #expect(dashboard.body["data-view"] == "dashboard" && dashboard.body["data-ready"] == "1", "\(dashboard.body)")
            let row = try #require(Self.live(dashboard, id), "no live row for \(id) in:\n\(dashboard.element("table", ["id": "live-conversations"])?.inner ?? "")")
            #expect(row.attributes["data-state"] == "bot")
            let cells = DumpedDOM(html: row.inner)
            #expect(cells.element("td", ["class": "caller"])?.text == Self.caller)
            #expect(cells.element("td", ["class": "state"])?.text == "bot")
            #expect(cells.element("a", ["href": "/conversations/\(id)"]) != nil)
            #expect(dashboard.element("table", ["id": "queues"]) != nil && dashboard.element("table", ["id": "agents"]) != nil)
            #expect(!dashboard.html.contains(GatewayProcess.adminToken), "the token reached the DOM")
            try Self.screenshot(gateway, Self.url(gateway, "/"), name: "supervisor-live.png", height: 1400)

            // While it lasts, its page refreshes (state active).
            let open = try HeadlessBrowser.dumpDOM(Self.url(gateway, "/conversations/\(id)"))
            #expect(open.body["data-view"] == "conversation" && open.body["data-ready"] == "1", "\(open.body)")
            #expect(open.element("dd", ["data-field": "caller"])?.text == Self.caller)

            phone.signal(SIGTERM)
            _ = phone.waitForExit(timeout: 20)
            _ = try #require(gateway.waitFor(event: "call.ended"))
            let closed = try await eventually {
                try await gateway.api("/api/v1/conversations/\(id)").1["state"] as? String == "closed"
            }
            try #require(closed)

            let after = try HeadlessBrowser.dumpDOM(Self.url(gateway, "/"))
            #expect(after.body["data-ready"] == "1")
            #expect(Self.live(after, id) == nil, "the ended call is still listed")
            let liveTable = DumpedDOM(html: try #require(after.element("table", ["id": "live-conversations"])).inner)
            #expect(liveTable.element("tr", ["class": "empty"])?.text == "No live calls")
            let tile = try #require(after.element("div", ["data-figure": "conversations"]))
            #expect((Double(tile.attributes["data-value"] ?? "") ?? 0) >= 1, "conversations tile: \(tile)")
            #expect(Int(tile.text) == Int(Double(tile.attributes["data-value"] ?? "") ?? -1))
            for figure in ["resolutionRate", "escalationRate", "abandonRate", "transferRate", "averageResolutionSeconds",
                           "averageEscalationSeconds", "averageWaitSeconds", "averageSentiment"] {
                #expect(after.element("div", ["data-figure": figure]) != nil, "no tile \(figure)")
            }
            try Self.screenshot(gateway, Self.url(gateway, "/"), name: "supervisor-after.png", height: 1400)

            let page = try HeadlessBrowser.dumpDOM(Self.url(gateway, "/conversations/\(id)"))
            #expect(page.body["data-view"] == "conversation" && page.body["data-ready"] == "1", "\(page.body)")
            let key = try #require(page.element("li", ["data-from": "customer", "data-kind": "dtmf"]), "no customer turn in:\n\(page.element("ol", ["id": "transcript"])?.inner ?? "")")
            #expect(DumpedDOM(html: key.inner).element("span", ["class": "text"])?.text == "1")
            #expect(page.elements("li", ["data-from": "system"]).count >= 2, "call started and call ended")
            #expect(page.element("dd", ["data-field": "state"])?.text == "closed")
            #expect(page.element("tr", ["data-variable": "bot.CustomerPhoneNumber"])?.text.contains(Self.caller) == true)
            try Self.screenshot(gateway, Self.url(gateway, "/conversations/\(id)"), name: "supervisor-conversation.png")
            #expect(gateway.stop() == 0)
        }

        @Test("the viewer token reads (the API and an agent's conversation page) and changes nothing: 403 on every write")
        func viewerTokenReadsOnly() async throws {
            let viewer = "viewer-token-abcdef0123456789"
            let gateway = try GatewayProcess(configuration: [
                "trunks": [["name": "carrier", "sources": ["127.0.0.0/8"], "defaultCountryCode": "1"]],
                "admin": ["token": GatewayProcess.adminToken, "viewerToken": viewer],
                "agents": [["id": "alice", "contact": "sip:alice@127.0.0.1:9", "queues": ["support"]]],
                "queues": [["name": "support"]],
            ])
            let (status, phone) = try SoftphoneProcess.call([Self.dialed, "--from", Self.caller, "--gateway", "127.0.0.1:\(gateway.sipPort)",
                                                             "--dtmf", "1"])
            #expect(status == 0, "\(phone.stderr)")
            let ended = try #require(gateway.waitFor(event: "call.ended"))
            let id = try #require(ended["conversation"])
            for path in ["/api/v1/live", "/api/v1/analytics", "/api/v1/conversations/\(id)", "/api/v1/agents", "/api/v1/queues"] {
                #expect(try await gateway.api(path, token: viewer).0 == 200, "\(path)")
            }
            for (method, path, body) in [("PUT", "/api/v1/agents/alice/presence", #"{"presence": "away"}"#),
                                         ("POST", "/api/v1/conversations/\(id)/close", "{}"),
                                         ("POST", "/api/v1/conversations/\(id)/transfer", #"{"queue": "support"}"#),
                                         ("POST", "/api/v1/bots/demo/disable", "{}")] {
                let (code, answer) = try await gateway.api(path, token: viewer, method: method, body: body)
                #expect(code == 403 && (answer["error"] as? [String: Any])?["code"] as? String == "forbidden", "\(method) \(path): \(code) \(answer)")
            }
            #expect(try await gateway.api("/api/v1/agents", token: "viewer-token-wrong-0123456789").0 == 401)
            // The write was refused: alice is still available; the admin token still writes.
            let agents = try await gateway.api("/api/v1/agents").1["agents"] as? [[String: Any]] ?? []
            #expect(agents.first?["presence"] as? String == "available", "\(agents)")
            #expect(try await gateway.api("/api/v1/agents/alice/presence", method: "PUT", body: #"{"presence": "away"}"#).0 == 200)
            // An agent opens the conversation's page with the viewer token.
            let page = try HeadlessBrowser.dumpDOM(Self.url(gateway, "/conversations/\(id)", token: viewer))
            #expect(page.body["data-view"] == "conversation" && page.body["data-ready"] == "1", "\(page.body)")
            #expect(page.element("dd", ["data-field": "caller"])?.text == Self.caller)
            #expect(gateway.stop() == 0)
        }

        @Test("markup in variables and transcript text renders as text: no element, no script runs")
        func untrustedData() async throws {
            let greeting = "Hello \(Self.scriptPayload) \(Self.imagePayload)"
            let bot = try TestBot(["--greeting", greeting])
            let gateway = try GatewayProcess(configuration: [
                "trunks": [["name": "carrier", "sources": ["127.0.0.0/8"], "defaultCountryCode": "1"]],
                "phoneNumbers": [["number": Self.dialed, "bot": "ext"]],
                "sipHeaders": [["header": "X-Note", "variable": "Note"]],
                "bots": [["id": "ext", "kind": "external", "endpoint": bot.endpoint, "applicationId": "ext"]],
            ])
            let phone = try SoftphoneProcess([Self.dialed, "--from", Self.caller, "--gateway", "127.0.0.1:\(gateway.sipPort)",
                                              "--header", "X-Note: \(Self.imagePayload)", "--script", "s.txt"],
                                             files: ["s.txt": "pause 2\n"])
            let answered = try #require(gateway.waitFor(event: "call.answered"), "\(phone.stderr)")
            let id = try #require(answered["conversation"])
            _ = phone.waitForExit(timeout: 30)
            let stored = try await eventually {
                let c = try await gateway.api("/api/v1/conversations/\(id)").1
                return c["state"] as? String == "closed" && (c["variables"] as? [String: Any])?["Note"] as? String == Self.imagePayload
                    && (c["transcript"] as? [[String: Any]] ?? []).contains { $0["text"] as? String == greeting }
            }
            try #require(stored, "the payloads did not reach the conversation")

            let page = try HeadlessBrowser.dumpDOM(Self.url(gateway, "/conversations/\(id)"))
            #expect(page.body["data-ready"] == "1", "\(page.body)")
            #expect(page.body["data-pwned"] == nil, "a payload ran")
            #expect(page.element("tr", ["data-variable": "Note"])?.text == "Note" + Self.imagePayload)
            let said = page.elements("li", ["data-from": "bot"]).compactMap { DumpedDOM(html: $0.inner).element("span", ["class": "text"])?.text }
            #expect(said.contains(greeting), "\(said)")
            #expect(page.html.contains("&lt;img src=x onerror="))
            #expect(!page.html.contains("<img"), "an img element was created")
            #expect(!page.html.contains("<script>document.body"), "a script element was created")
            try Self.screenshot(gateway, Self.url(gateway, "/conversations/\(id)"), name: "supervisor-untrusted.png")

            // The dashboard's per-bot and per-number tables and live rows take the same path.
            let dashboard = try HeadlessBrowser.dumpDOM(Self.url(gateway, "/"))
            #expect(dashboard.body["data-pwned"] == nil && !dashboard.html.contains("<img"))
            #expect(gateway.stop() == 0)
        }
    }
}
