#!/usr/bin/env python3
"""An external bot for VoiceGate's tests: speaks bot-protocol.md over HTTP on 127.0.0.1.

Every POST is recorded (when --record is given) before the bot decides how to answer, so a test
can see what arrived even when the bot then fails on purpose. Standard library only.

    python3 Tests/Bots/test_bot.py --port 0 --record /tmp/bot.jsonl --secret s3cret --greeting "Hello"

prints `listening PORT` on stdout once it accepts connections. Options:
  --port N        port to listen on; 0 picks a free one
  --record FILE   append one JSON line per POST: {"authorization": header or null, "activity": body}
                  (a body that is not JSON is recorded as {"unparsed": "<text>"})
  --secret S      answer 401 unless the request carries `Authorization: Bearer S`
  --delay SECS    sleep this long before answering (a slow bot)
  --status N      answer every POST with status N (body {} unless N is 202 or 204)
  --garbage       answer 200 with a body that is not JSON
  --greeting TEXT answer the SetContext event with a message activity of TEXT
  --async-greeting TEXT
                  answer the SetContext event with 202, then send a message activity of TEXT
                  through the gateway's callback path (POST {serviceUrl}/v1/conversations/{id}/
                  activities, with the same bearer secret); the callback's status is recorded as
                  {"callback": {"status": N, "body": "..."}}
  --pad BYTES     add a "padding" field of that many bytes to 200 replies (an oversized reply)
  --chunked       send 200 replies with chunked transfer encoding (no Content-Length up front)
  --rules FILE    answer by rules: FILE is a JSON list of
                      {"on": {MATCH}, "reply": [ACTIVITY, ...], "once": true|false}
                  The first rule whose MATCH fits the POSTed activity (and, with "once", has not
                  answered yet) answers 200 {"activities": reply}. MATCH fields are all optional
                  and all must fit; an empty MATCH fits everything:
                      type         activity type ("message", "event", "endOfConversation"...)
                      name         event name ("SetContext", "TransferResult"...)
                      text         the text, exactly
                      textContains a part of the text
                      digits       channelData.digits (keys as keyed: "12#")
                      inputMode    channelData.inputMode ("dtmf" or "speech")
                      reason       channelData.reason (an endOfConversation's)
                      valueStatus  value.status (a TransferResult's "completed" or "failed")
                      valueReason  value.reason (why a TransferResult failed)
                  No rule fits: the answer without rules (the greeting, or no activities).
                  Example: greet, then answer a transfer's outcome:
                      [{"on": {"name": "SetContext"}, "reply": [{"type": "event",
                        "name": "TransferToPhoneNumber", "value": {"TargetPhoneNumber": "+14155550123"}}]},
                       {"on": {"name": "TransferResult", "valueStatus": "failed"}, "once": true,
                        "reply": [{"type": "message", "text": "Sorry, nobody is free."}]}]
Without --status/--garbage the bot answers 200 {"activities": []} (or the greeting, or by rules).
"""

import argparse
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A bot test must never hang on a client that sends an endless body.
MAX_BODY = 4 * 1024 * 1024


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description="VoiceGate's test bot")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record")
    parser.add_argument("--secret")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--status", type=int)
    parser.add_argument("--garbage", action="store_true")
    parser.add_argument("--greeting")
    parser.add_argument("--async-greeting")
    parser.add_argument("--pad", type=int, default=0)
    parser.add_argument("--chunked", action="store_true")
    parser.add_argument("--rules")
    options = parser.parse_args(argv)
    options.rules = Rules.load(options.rules) if options.rules else None
    return options


class Rules:
    """--rules: replies chosen by what arrived. Requests are answered on several threads at once,
    so a "once" rule is used up under a lock (it answers exactly one request)."""

    # Match field -> where it is in an activity.
    FIELDS = {
        "type": ("type",),
        "name": ("name",),
        "text": ("text",),
        "digits": ("channelData", "digits"),
        "inputMode": ("channelData", "inputMode"),
        "reason": ("channelData", "reason"),
        "valueStatus": ("value", "status"),
        "valueReason": ("value", "reason"),
    }

    def __init__(self, rules):
        self.rules = rules
        self.used = set()
        self.lock = threading.Lock()

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            rules = json.load(f)
        if not isinstance(rules, list):
            raise SystemExit("--rules: %s must hold a JSON list of rules" % path)
        known = set(cls.FIELDS) | {"textContains"}
        for index, rule in enumerate(rules):
            # A typo in a test's rules must fail the test at once, not match nothing silently.
            if not isinstance(rule, dict) or not isinstance(rule.get("reply", []), list):
                raise SystemExit("--rules: rule %d must be {\"on\": {...}, \"reply\": [...]}" % index)
            unknown = set(rule.get("on", {})) - known
            if unknown:
                raise SystemExit("--rules: rule %d matches on unknown fields %s" % (index, sorted(unknown)))
        return cls(rules)

    @classmethod
    def field(cls, activity, name):
        value = activity
        for key in cls.FIELDS[name]:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    @classmethod
    def matches(cls, match, activity):
        if not isinstance(activity, dict):
            return False
        for name, wanted in match.items():
            if name == "textContains":
                text = activity.get("text")
                if not isinstance(text, str) or wanted not in text:
                    return False
            elif cls.field(activity, name) != wanted:
                return False
        return True

    def reply(self, activity):
        """The reply of the first rule that fits, or None when none does."""
        with self.lock:
            for index, rule in enumerate(self.rules):
                if index in self.used or not self.matches(rule.get("on", {}), activity):
                    continue
                if rule.get("once"):
                    self.used.add(index)
                return rule.get("reply", [])
        return None


class Recorder:
    """Appends records to one file; a lock keeps concurrent requests' lines whole."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def append(self, record):
        if not self.path:
            return
        line = json.dumps(record, ensure_ascii=False, sort_keys=True)
        with self.lock:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line + "\n")
                f.flush()


def make_handler(options, recorder):
    class BotHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "VoiceGateTestBot/1"
        timeout = 60  # a client that connects and goes quiet frees its thread eventually

        def log_message(self, format, *args):
            pass  # the tests read --record, not an access log

        def do_POST(self):
            try:
                self.handle_post()
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                pass  # the gateway gave up (its timeout): nothing to answer
            except Exception as error:  # never let odd input kill the bot
                self.try_answer(500, json.dumps({"error": {"code": "test_bot", "message": str(error)}}))

        def do_GET(self):
            self.try_answer(200, json.dumps({"status": "ok"}))

        def handle_post(self):
            body = self.read_body()
            if body is None:
                return
            try:
                activity = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                activity = {"unparsed": body.decode("utf-8", errors="replace")}
            recorder.append({"authorization": self.headers.get("Authorization"), "activity": activity})

            if options.secret is not None and self.headers.get("Authorization") != "Bearer " + options.secret:
                self.answer(401, json.dumps({"error": {"code": "unauthorized", "message": "bad secret"}}))
                return
            if options.delay > 0:
                time.sleep(options.delay)
            if options.async_greeting is not None and self.is_set_context(activity):
                self.answer(202, "")
                threading.Thread(target=self.call_back, args=(activity,), daemon=True).start()
                return
            if options.status is not None:
                self.answer(options.status, "" if options.status in (202, 204) else "{}")
            elif options.garbage:
                self.answer(200, "<html>this is not JSON {{{", content_type="text/html")
            else:
                reply = {"activities": self.replies(activity)}
                if options.pad > 0:
                    reply["padding"] = "x" * options.pad
                self.answer(200, json.dumps(reply))

        @staticmethod
        def is_set_context(activity):
            return (isinstance(activity, dict) and activity.get("type") == "event"
                    and activity.get("name") == "SetContext")

        def call_back(self, activity):
            import urllib.request
            import urllib.error
            url = "%s/v1/conversations/%s/activities" % (
                activity.get("serviceUrl", "").rstrip("/"), (activity.get("conversation") or {}).get("id", ""))
            body = json.dumps({"type": "message", "text": options.async_greeting}).encode("utf-8")
            request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
            if options.secret is not None:
                request.add_header("Authorization", "Bearer " + options.secret)
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status, text = response.status, response.read().decode("utf-8", errors="replace")
            except urllib.error.HTTPError as error:
                status, text = error.code, error.read().decode("utf-8", errors="replace")
            except Exception as error:
                status, text = 0, str(error)
            recorder.append({"callback": {"status": status, "body": text, "url": url}})

        def replies(self, activity):
            if options.rules is not None:
                ruled = options.rules.reply(activity)
                if ruled is not None:
                    return ruled
            is_set_context = (isinstance(activity, dict) and activity.get("type") == "event"
                              and activity.get("name") == "SetContext")
            if is_set_context and options.greeting is not None:
                return [{"type": "message", "text": options.greeting}]
            return []

        def read_body(self):
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                self.answer(400, json.dumps({"error": {"code": "bad_length", "message": "bad Content-Length"}}))
                return None
            if length < 0 or length > MAX_BODY:
                self.answer(413, json.dumps({"error": {"code": "too_large", "message": "body too large"}}))
                return None
            return self.rfile.read(length) if length else b""

        def answer(self, status, text, content_type="application/json"):
            data = text.encode("utf-8")
            if options.chunked and status == 200:
                self.answer_chunked(data, content_type)
                return
            self.send_response(status)
            if status not in (204,) and status >= 200:
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data and status not in (204,):
                self.wfile.write(data)
            self.wfile.flush()

        def answer_chunked(self, data, content_type):
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(data), 65536):
                piece = data[start:start + 65536]
                self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        def try_answer(self, status, text):
            try:
                self.answer(status, text)
            except Exception:
                pass

    return BotHandler


class BotServer(ThreadingHTTPServer):
    daemon_threads = True  # a sleeping (--delay) request must not keep the process alive
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up mid-request is not news


def main(argv):
    options = parse_arguments(argv)
    server = BotServer(("127.0.0.1", options.port), make_handler(options, Recorder(options.record)))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("listening %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main(sys.argv[1:])
