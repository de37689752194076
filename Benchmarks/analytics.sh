#!/usr/bin/env bash
# How the historical figures scale: fills a store with N conversations (default 100,000, each with
# 6 turns and 1-3 segments, 30 % handed to a queue), starts the gateway on it and times
# GET /api/v1/analytics over 30 days and GET /api/v1/live against GET /healthz (the baseline: an
# answer with no query) in the same run. Prints the medians and their ratios.
#
#   Benchmarks/analytics.sh [N]        (after `swift build`)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
bin=".build/debug/voicegate"
[ -x "$bin" ] || { echo "build first: swift build" >&2; exit 1; }
work="$(mktemp -d)"
trap 'kill "${pid:-0}" 2>/dev/null || true; [ -n "${KEEP:-}" ] && echo "kept: $work" || rm -rf "$work"' EXIT
token="bench-admin-token-0123456789"
cat > "$work/config.json" <<JSON
{"sip": {"port": 0, "listen": "127.0.0.1"}, "http": {"port": 0, "listen": "127.0.0.1"},
 "store": {"path": "$work/bench.db"}, "admin": {"token": "$token"},
 "trunks": [{"name": "t", "sources": ["127.0.0.0/8"]}], "phoneNumbers": [{"number": "*", "bot": "demo"}],
 "bots": [{"id": "demo", "kind": "embedded", "applicationId": "demo"}],
 "speech": {"recognizer": "none"}}
JSON

start_gateway() {
  "$bin" run --config "$work/config.json" 2> "$work/gateway.log" &
  pid=$!
  for _ in $(seq 1 100); do
    port="$(sed -n 's/.*event=gateway.ready.* http_port=\([0-9]*\).*/\1/p' "$work/gateway.log" | head -n 1)"
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "the gateway did not start: $(cat "$work/gateway.log")" >&2; exit 1
}

# Once, to create the file with the current schema; then fill it.
start_gateway; kill "$pid"; wait "$pid" || true
python3 - "$work/bench.db" "$n" <<'PY'
import sqlite3, sys, random, json, time
db = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2]); random.seed(7)
now = int(time.time() * 1000); span = 30 * 86400 * 1000
conv, turns, segs, entries = [], [], [], []
for i in range(n):
    cid = f"c{i:08d}"; start = now - random.randrange(span); r = random.random()
    outcome = "resolved" if r < 0.55 else "escalated" if r < 0.75 else "abandoned" if r < 0.85 else "transferred" if r < 0.95 else "failed"
    end = start + random.randrange(20_000, 600_000); number = f"+1800555{random.randrange(10):04d}"
    s = [random.uniform(-1, 1) for _ in range(2)]
    conv.append((cid, "closed", outcome, "botEnded", start, end, f"bot{random.randrange(5)}", None, None, "t", cid, 0,
                 json.dumps({"bot.OrganizationPhoneNumber": number}), 2, sum(s), s[-1], number))
    for k in range(6):
        turns.append((cid, k + 1, start + k * 1000, "customer" if k % 2 else "bot", "speech" if k % 2 else "message",
                      "some words", "{}", s[k // 2 % 2] if k % 2 else None))
    segs.append((cid, 1, "bot", f"bot{random.randrange(5)}", start, start + 10_000))
    if outcome in ("escalated", "abandoned"):
        segs.append((cid, 2, "waiting", "support", start + 10_000, start + 40_000))
        entries.append((f"e{i}", cid, "support", start + 10_000, start + 40_000, "served" if outcome == "escalated" else "abandoned", None, 30_000, 1))
        if outcome == "escalated":
            segs.append((cid, 3, "agent", "alice", start + 40_000, end))
db.executemany("INSERT INTO conversations (id, state, outcome, end_reason, started_at, ended_at, bot, queue, agent, trunk, sip_call_id, caller_withheld, variables, sentiment_turns, sentiment_sum, sentiment_recent, organization_number) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", conv)
db.executemany("INSERT INTO turns (conversation_id, seq, at, from_party, kind, text, data, sentiment) VALUES (?,?,?,?,?,?,?,?)", turns)
db.executemany("INSERT INTO conversation_segments VALUES (?,?,?,?,?,?)", segs)
db.executemany("INSERT INTO queue_entries VALUES (?,?,?,?,?,?,?,?,?)", entries)
db.commit()
PY
start_gateway
time_it() {  # median of 5 requests, in ms
  for _ in 1 2 3 4 5; do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "http://127.0.0.1:$port$1"
  done | sort -n | sed -n 3p | awk '{printf "%.1f", $1 * 1000}'
}
from="$(date -u -d '-30 days' +%Y-%m-%dT%H:%M:%SZ)"; to="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
health="$(time_it /healthz)"
analytics="$(time_it "/api/v1/analytics?from=$from&to=$to")"
day="$(time_it "/api/v1/analytics")"
live="$(time_it /api/v1/live)"
echo "conversations: $n"
echo "healthz_ms: $health"
echo "analytics_30d_ms: $analytics  ratio: $(awk "BEGIN{printf \"%.0f\", $analytics / $health}")"
echo "analytics_24h_ms: $day  ratio: $(awk "BEGIN{printf \"%.0f\", $day / $health}")"
echo "live_ms: $live  ratio: $(awk "BEGIN{printf \"%.1f\", $live / $health}")"
curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/analytics?from=$from&to=$to" \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print("check: conversations", d["conversations"], "resolutionRate", d["resolutionRate"], "escalationRate", d["escalationRate"])'
