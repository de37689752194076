#!/usr/bin/env bash
# Barge-in benchmark: how soon the gateway's audio stops after the caller presses a key during an
# ordinary (interruptible) prompt, measured on the wire. See Benchmarks/README.md.
#
#   Benchmarks/barge-in.sh [--calls N] [--parallel P] [--no-build]
#
# It starts `voicegate run` on 127.0.0.1 with a topic bot whose greeting is a long ordinary
# message (then a question, so the call stays up), captures the gateway's RTP ports on `lo` with
# dumpcap, and places with `voicegate call`
#   1. one reference call that presses nothing (the prompt plays on; it checks that the prompt
#      holds no digitally silent packet, which the measure relies on);
#   2. N calls (default 20, P at a time, default 1) that each press one key (RFC 4733) at an offset
#      from 1.0 to 3.0 s into the prompt, spread evenly, then hang up 1.5 s later.
# Per call, from the capture: the time from the first RTP packet of the caller's DTMF event to the
# last gateway->caller packet that still carries prompt audio (the last non-silent PCMU/PCMA
# payload before the stream turns to digital silence), and the same as the RTP timestamp advance
# of the gateway's stream. Then p50 / p95 / max, the count within 200 ms, and the baseline of the
# same run (the packetization floor, the gateway's packet interval, the key's own duration).
#
# Exit status: 0 when every call stopped within 200 ms; 3 when measured but some did not; 1 when
# the measurement failed (the gateway or the capture did not start, a call lacks its DTMF or its
# prompt audio, packets were dropped); 2 for a usage mistake.
#
# Output is printed and written to Benchmarks/results/barge-in.txt; the capture, the gateway's
# log and every call's report of the last run are in Benchmarks/results/barge-in-latest/ (ignored
# by git). Settings: BENCH_PORT_BASE (29360: SIP, +1 HTTP), BENCH_BARGE_RTP (29400, 200 ports),
# BENCH_BARGE_MIN_S / BENCH_BARGE_MAX_S (1.0 / 3.0), BENCH_LIMIT_MS (200), BENCH_VOICEGATE.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

usage() { sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

calls=20; parallel=1; build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --calls) shift; calls="${1:-}" ;;
    --parallel) shift; parallel="${1:-}" ;;
    --no-build) build=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "barge-in.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ "$calls" =~ ^[0-9]+$ ]] && [ "$calls" -ge 2 ] || { echo "barge-in.sh: --calls needs a number of 2 or more" >&2; exit 2; }
[[ "$parallel" =~ ^[0-9]+$ ]] && [ "$parallel" -ge 1 ] || { echo "barge-in.sh: --parallel needs a number of 1 or more" >&2; exit 2; }

VG_BIN="${BENCH_VOICEGATE:-$root/.build/release/voicegate}"
base="${BENCH_PORT_BASE:-29360}"
SIP=$base; HTTP=$((base + 1))
RTP_LO="${BENCH_BARGE_RTP:-29400}"; RTP_COUNT=200; RTP_HI=$((RTP_LO + RTP_COUNT - 1))
MIN_S="${BENCH_BARGE_MIN_S:-1.0}"; MAX_S="${BENCH_BARGE_MAX_S:-3.0}"
LIMIT_MS="${BENCH_LIMIT_MS:-200}"
HANG_UP_AFTER_S=1.5               # after the key: the bot's next words come later (3 s inter-digit timeout)

results_dir="$here/results"
work="$results_dir/barge-in-latest"
mkdir -p "$results_dir"; rm -rf "$work"; mkdir -p "$work"
table="$results_dir/barge-in.txt"

start_time=$EPOCHREALTIME
gw_pid=""; cap_pid=""
say() { printf '[%5.1fs] %s\n' "$(awk -v s="$start_time" -v n="$EPOCHREALTIME" 'BEGIN{print n - s}')" "$*" >&2; }
die() { say "measurement failed: $*"; exit 1; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Stops only what this script started, by pid.
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  alive "$cap_pid" && kill -INT "$cap_pid" 2>/dev/null && wait "$cap_pid" 2>/dev/null
  if alive "$gw_pid"; then
    kill -TERM "$gw_pid" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do alive "$gw_pid" || break; sleep 0.3; done
    alive "$gw_pid" && kill -KILL "$gw_pid" 2>/dev/null
    wait "$gw_pid" 2>/dev/null
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Preflight
# ---------------------------------------------------------------------------------------------
for tool in dumpcap python3 ss awk timeout; do
  command -v "$tool" >/dev/null 2>&1 || die "missing $tool (run deploy/setup.sh; dumpcap comes with tshark)"
done
used=$(ss -Huan 2>/dev/null; ss -Htan 2>/dev/null)
for p in $SIP $HTTP $RTP_LO $RTP_HI; do
  if awk -v p=":$p" '{ if (substr($4, length($4) - length(p) + 1) == p) f=1 } END{exit !f}' <<< "$used"; then
    die "port $p is in use; set BENCH_PORT_BASE / BENCH_BARGE_RTP to free ones"
  fi
done

if [ "$build" = 1 ]; then
  say "building voicegate (release)"
  (cd "$root" && swift build -c release --product voicegate) > "$work/build.log" 2>&1 \
    || { tail -20 "$work/build.log" >&2; die "swift build failed"; }
fi
[ -x "$VG_BIN" ] || die "no $VG_BIN (run without --no-build)"

# ---------------------------------------------------------------------------------------------
# The gateway: a topic bot whose greeting is a long ordinary message (about 10 s of speech)
# ---------------------------------------------------------------------------------------------
cat > "$work/bot.json" <<'EOF'
{
  "name": "barge-in-bench",
  "settings": { "silenceSeconds": 30, "silenceLimit": 2 },
  "topics": [
    { "name": "Greeting", "system": "greeting", "nodes": [
      { "message": "Thank you for calling the barge in benchmark line. This message is long on purpose, so that a caller has plenty of time to press a key while it plays. It goes on about the weather, and the opening hours of a shop that does not exist." },
      { "question": { "prompt": "Please key in a number, then press pound.", "kind": "digits", "variable": "Number", "minDigits": 1, "maxDigits": 10 } },
      { "message": "Thank you." },
      { "end": true }
    ] },
    { "name": "Goodbye", "system": "goodbye", "nodes": [ { "message": "Goodbye." }, { "end": true } ] }
  ]
}
EOF
cat > "$work/voicegate.json" <<EOF
{
  "sip": {"listen": "127.0.0.1", "port": $SIP, "transports": ["udp"], "rtpPortStart": $RTP_LO, "rtpPortCount": $RTP_COUNT},
  "http": {"listen": "127.0.0.1", "port": $HTTP},
  "shutdown": {"drainSeconds": 2},
  "trunks": [{"name": "bench", "sources": ["127.0.0.0/8"]}],
  "phoneNumbers": [{"number": "*", "bot": "barge"}],
  "bots": [{"id": "barge", "kind": "embedded", "applicationId": "barge", "definition": "$work/bot.json"}],
  "store": {"path": "$work/voicegate.db"},
  "log": {"level": "info"}
}
EOF

say "starting voicegate on 127.0.0.1:$SIP (RTP $RTP_LO-$RTP_HI)"
"$VG_BIN" run --config "$work/voicegate.json" 2> "$work/voicegate.log" &
gw_pid=$!
# Prompts are synthesized at start, in the background: calls wait until they are ready.
for _ in $(seq 1 600); do
  grep -q 'event=speech.prompts_ready' "$work/voicegate.log" 2>/dev/null && break
  alive "$gw_pid" || break
  sleep 0.1
done
if ! grep -q 'event=gateway.ready' "$work/voicegate.log" || ! grep -q 'event=speech.prompts_ready' "$work/voicegate.log"; then
  tail -20 "$work/voicegate.log" >&2
  die "the gateway did not start (or did not synthesize its prompts within 60 s)"
fi

# ---------------------------------------------------------------------------------------------
# The capture
# ---------------------------------------------------------------------------------------------
dumpcap -q -P -i lo -f "udp portrange $RTP_LO-$RTP_HI" -w "$work/capture.pcap" 2> "$work/dumpcap.log" &
cap_pid=$!
for _ in $(seq 1 100); do
  grep -q 'Capturing on' "$work/dumpcap.log" 2>/dev/null && break
  alive "$cap_pid" || break
  sleep 0.1
done
grep -q 'Capturing on' "$work/dumpcap.log" || { cat "$work/dumpcap.log" >&2; die "dumpcap did not start capturing on lo"; }
sleep 0.3

# ---------------------------------------------------------------------------------------------
# The calls
# ---------------------------------------------------------------------------------------------
place() {                         # place NAME SCRIPT-TEXT
  printf '%s' "$2" > "$work/$1.script"
  timeout 60 "$VG_BIN" call 1000 --gateway "127.0.0.1:$SIP" --script "$work/$1.script" \
    > "$work/$1.json" 2> "$work/$1.log"
  echo $? > "$work/$1.rc"
}

say "reference call: no key, the prompt plays on for 5 s"
place reference $'expect speech within 5\npause 5\nhangup\n'
[ "$(cat "$work/reference.rc")" = 0 ] || die "the reference call failed: $(cat "$work/reference.json" "$work/reference.log" | tail -3)"

say "$calls calls, $parallel at a time, a key $MIN_S-$MAX_S s into the prompt"
batch=()
for i in $(seq 1 "$calls"); do
  offset=$(awk -v a="$MIN_S" -v b="$MAX_S" -v i="$i" -v n="$calls" 'BEGIN{printf "%.3f", a + (b - a) * (i - 1) / (n - 1)}')
  place "call-$i" "$(printf 'expect speech within 5\npause %s\ndtmf 1\npause %s\nhangup\n' "$offset" "$HANG_UP_AFTER_S")" &
  batch+=($!)
  if [ "${#batch[@]}" -ge "$parallel" ]; then wait "${batch[@]}"; batch=(); fi
  alive "$gw_pid" || die "the gateway exited during the calls (its log: $work/voicegate.log)"
  # Calls of one batch start 50 ms apart, so the capture orders them as they were placed.
  sleep 0.05
done
[ "${#batch[@]}" -gt 0 ] && wait "${batch[@]}"
alive "$gw_pid" || die "the gateway exited during the calls (its log: $work/voicegate.log)"

failed_calls=""
for i in $(seq 1 "$calls"); do
  [ "$(cat "$work/call-$i.rc" 2>/dev/null)" = 0 ] || failed_calls+=" $i"
done
sleep 0.5
kill -INT "$cap_pid" 2>/dev/null; wait "$cap_pid" 2>/dev/null; cap_pid=""
dropped=$(sed -n "s/.*received\/dropped on interface .*: [0-9]*\/\([0-9]*\) .*/\1/p" "$work/dumpcap.log" | head -1)
dtmf_logged=$(grep -c 'event=call.dtmf' "$work/voicegate.log")

# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------
{
  echo "barge-in benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(hostname), $(nproc) cores, $("$VG_BIN" version 2>/dev/null | head -1)"
  echo "$calls calls ($parallel at a time), one RFC 4733 key each, $MIN_S-$MAX_S s into an ordinary prompt; capture on lo"
  echo
  python3 "$here/bargestats.py" "$work/capture.pcap" "$RTP_LO" "$RTP_HI" "$calls" "$LIMIT_MS"
  echo $? > "$work/stats.rc"
} | tee "$table"
rc=$(cat "$work/stats.rc")

[ -n "$failed_calls" ] && { say "softphone calls that did not finish their script:$failed_calls (see $work)"; rc=1; }
[ "${dropped:-0}" != 0 ] && { say "dumpcap dropped $dropped packets"; rc=1; }
[ "$dtmf_logged" != "$calls" ] && { say "the gateway logged $dtmf_logged keys, expected $calls"; rc=1; }
[ "$rc" = 1 ] && say "measurement failed; details in $work"
say "written to $table; capture and logs in $work"
exit "$rc"
