#!/usr/bin/env bash
# Load benchmark: VoiceGate (demo bot) against the pjsua sample app built from the same pjproject
# with the same limits (deploy/config_site.h), under the same sipp load, on this machine, over
# loopback. The two sides run one after the other, never together. See Benchmarks/README.md.
#
#   Benchmarks/load.sh [--quick] [--no-build] [--only voicegate|pjsua]
#
# Per side it measures
#   1. the highest concurrency sustained with < 0.1 % failed calls: a ladder of concurrency steps
#      (G.711 calls of CALL_S seconds, sipp playing g711a.pcap into each, placed at C/CALL_S calls/s
#      for GEN_S seconds), stopping at the first failing step. Process CPU and RSS are sampled over
#      each step's steady state (all C calls up) and reported per call;
#   2. calls per second with zero failures over CPS_S seconds (short calls without RTP from sipp),
#      a binary search over a fixed grid of rates, CPS_TRIALS trials at most;
#   3. (VoiceGate only) turn latency, DTMF end to the bot's reply, through `voicegate call`, idle
#      and under the highest load both sides sustain.
# and prints a table with VoiceGate/pjsua ratios (also written to Benchmarks/results/latest.txt).
#
# "Failed call" is sipp's FailedCall count: a call whose scenario did not run as written (an error
# or unexpected response, a response not received within -recv_timeout, too many retransmissions,
# a send failure). Other things could reasonably count and are not counted here: calls that were
# answered but whose RTP was late, lossy or absent (sipp's pcap play measures nothing on receive),
# slow answers (sipp records response times, see ResponseTime in the CSVs), retransmissions
# (reported per step in the logs), errors the answering side logs. A step also fails when the mean
# concurrency sipp held is below 95 % of the target (sipp or the side could not keep pace) or when
# the side stops answering OPTIONS during the step.
#
# Everything started here is killed on exit, Ctrl-C or error (trap EXIT); a watchdog ends the
# whole run after HARD_LIMIT_S seconds. Ports: BENCH_PORT_BASE (29160) .. +55 on 127.0.0.1,
# VoiceGate RTP 10000-17999, pjsua RTP from 18000 upwards; they are checked free before starting.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

usage() { sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

quick=0; build=1; only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    --only) shift; only="${1:-}"; case "$only" in voicegate|pjsua) ;; *) echo "load.sh: --only voicegate|pjsua" >&2; exit 2 ;; esac ;;
    -h|--help) usage; exit 0 ;;
    *) echo "load.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

# ---------------------------------------------------------------------------------------------
# Settings (environment overrides in capitals with BENCH_)
# ---------------------------------------------------------------------------------------------
VG_BIN="${BENCH_VOICEGATE:-$root/.build/release/voicegate}"
PJSUA="${BENCH_PJSUA:-/usr/local/bin/pjsua}"
SIPP="${BENCH_SIPP:-$(command -v sipp || echo /usr/bin/sipp)}"
PCAP="${BENCH_PCAP:-/usr/share/sip-tester/g711a.pcap}"
WAV="$root/Sources/voicegate/Resources/welcome.wav"      # VoiceGate's built-in greeting, for both
LOAD_XML="$here/uac_load.xml"
SHORT_XML="$here/uac_short.xml"
PING_XML="$root/Tests/Scenarios/uac_options.xml"
PCAP_MS=7050                      # uac_load.xml replays the pcap after this long

base="${BENCH_PORT_BASE:-29160}"
VG_SIP=$base; VG_HTTP=$((base + 1)); PJ_SIP=$((base + 10))
SIPP_A=$((base + 20)); SIPP_B=$((base + 21)); SIPP_PING=$((base + 22))
MEDIA_A=$((base + 30)); MEDIA_B=$((base + 34)); MEDIA_PING=$((base + 38))   # sipp takes 4 from each
CTRL_A=$((base + 50)); CTRL_B=$((base + 51)); CTRL_PING=$((base + 52))
VG_RTP="${BENCH_VG_RTP:-10000}"; VG_RTP_COUNT=8000
PJ_RTP="${BENCH_PJ_RTP:-18000}"
MAX_CALLS=2000                    # both sides: VoiceGate calls.maxConcurrent, pjsua --max-calls

if [ "$quick" = 1 ]; then
  CALL_S=8; GEN_S=13; LADDER="${BENCH_LADDER:-50 100}"
  CPS_S=10; CPS_GRID="${BENCH_CPS_GRID:-100 200 400}"; CPS_TRIALS=2
  LAT_CALLS=1; LAT_DIGITS=3; LAT_BUDGET_S=25
  BUDGET_S=300; HARD_LIMIT_S=330
else
  # Ladder steps overlap: step k+1 starts when step k stops placing calls, while k's calls drain.
  # Concurrency then moves linearly from C_k to C_k+1, never above C_k+1, and every step costs
  # GEN_S (16 s) instead of GEN_S + CALL_S. Steady state of a step: CALL_S+1 .. GEN_S-0.5 s.
  CALL_S=10; GEN_S=16; LADDER="${BENCH_LADDER:-200 400 600 700 800 900 1000 1200}"
  CPS_S=30; CPS_GRID="${BENCH_CPS_GRID:-300 600 900 1200 1500 1800 2200}"; CPS_TRIALS=3
  LAT_CALLS=2; LAT_DIGITS=10; LAT_BUDGET_S=35
  BUDGET_S=570; HARD_LIMIT_S=595
fi
CPS_HOLD_MS="${BENCH_CPS_HOLD_MS:-200}"
BUDGET_S="${BENCH_BUDGET_S:-$BUDGET_S}"; HARD_LIMIT_S="${BENCH_HARD_LIMIT_S:-$HARD_LIMIT_S}"
# The softphone for the latency part (the contract is in latency() below).
read -r -a CALL_CMD <<< "${BENCH_CALL_CMD:-$VG_BIN call}"
FAIL_LIMIT_PERMILLE=1             # < 0.1 % failed calls
[ "$CALL_S" -ge 8 ] || { echo "load.sh: CALL_S must be at least 8 (the pcap is 7.05 s)" >&2; exit 2; }

results_dir="$here/results"
mkdir -p "$results_dir"
work="$results_dir/logs-latest"
rm -rf "$work"; mkdir -p "$work"
results="$work/results.kv"
table="$results_dir/latest.txt"
: > "$results"

start_time=$EPOCHREALTIME
report_done=0
side_pid=""; pj_fd=""; nap_pid=""; watchdog_pid=""
declare -A started=()             # pid -> program path, for the exit trap

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
say() { printf '[%5.0fs] %s\n' "$(elapsed)" "$*" >&2; }
die() { say "error: $*"; exit 1; }
put() { printf '%s %s\n' "$1" "$2" >> "$results"; }
elapsed() { awk -v s="$start_time" -v n="$EPOCHREALTIME" 'BEGIN{printf "%.1f", n - s}'; }
calc() { awk "BEGIN{printf \"%.${2:-2}f\", ($1)}"; }
# Sleeps in the background and waits, so that signals are handled at once.
nap() { sleep "$1" & nap_pid=$!; wait "$nap_pid" 2>/dev/null; nap_pid=""; }
nap_until() { local d; d=$(awk -v t="$1" -v n="$EPOCHREALTIME" 'BEGIN{d=t-n; printf "%.3f", (d > 0 ? d : 0)}'); nap "$d"; }
tplus() { awk -v s="$1" -v o="$2" 'BEGIN{printf "%.3f", s+o}'; }
cpu_ticks() {                     # utime + stime of the whole process, clock ticks
  local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  s=${s##*) }; set -- $s; echo $(( ${12} + ${13} ))
}
rss_kb() { awk '/^VmRSS:/{print $2; f=1} END{if(!f) print 0}' "/proc/$1/status" 2>/dev/null || echo 0; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
hz=$(getconf CLK_TCK)
budget_left() { awk -v b="$BUDGET_S" -v e="$(elapsed)" 'BEGIN{printf "%d", b-e}'; }

track() { started[$1]="$2"; }
untrack() { unset "started[$1]"; }
ours() { alive "$1" && tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -qF -- "${started[$1]}"; }
# Waits for a tracked child up to $2 seconds; then TERM, then KILL. Sets wait_rc.
reap() {
  local pid=$1 limit=$2 t=0
  while alive "$pid" && [ "$t" -lt $((limit * 5)) ]; do nap 0.2; t=$((t + 1)); done
  if alive "$pid"; then
    say "${started[$pid]##*/} ($pid) still running after ${limit} s: stopping it"
    ours "$pid" && kill -TERM "$pid" 2>/dev/null; nap 1
  fi
  if alive "$pid"; then ours "$pid" && kill -KILL "$pid" 2>/dev/null; fi
  wait "$pid" 2>/dev/null; wait_rc=$?
  untrack "$pid"
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$nap_pid" ] && { kill "$nap_pid" 2>/dev/null; wait "$nap_pid" 2>/dev/null; }
  if [ -n "$watchdog_pid" ] && alive "$watchdog_pid"; then
    kill -TERM "$watchdog_pid" 2>/dev/null; wait "$watchdog_pid" 2>/dev/null
  fi
  local pid
  for pid in "${!started[@]}"; do ours "$pid" && kill -TERM "$pid" 2>/dev/null; done
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    local any=0
    for pid in "${!started[@]}"; do ours "$pid" && any=1; done
    [ "$any" = 0 ] && break
    sleep 0.3
  done
  for pid in "${!started[@]}"; do ours "$pid" && kill -KILL "$pid" 2>/dev/null; done
  for pid in "${!started[@]}"; do wait "$pid" 2>/dev/null; done
  [ -n "$pj_fd" ] && eval "exec $pj_fd>&-"
  if [ "$report_done" = 0 ] && [ -s "$results" ]; then
    put wall_seconds "$(calc "$(elapsed)" 0)"
    put complete 0
    echo >&2
    python3 "$here/loadstats.py" report "$results" "$table" || true
    say "run stopped early (exit $rc); partial table in $table, logs in $work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Preflight
# ---------------------------------------------------------------------------------------------
for tool in "$SIPP" "$PJSUA" python3 curl ss awk; do
  command -v "$tool" >/dev/null 2>&1 || die "missing $tool (run deploy/setup.sh)"
done
for f in "$PCAP" "$WAV" "$LOAD_XML" "$SHORT_XML" "$PING_XML"; do [ -r "$f" ] || die "missing $f"; done
used=$(ss -Huan 2>/dev/null; ss -Htan 2>/dev/null)
for p in $VG_SIP $VG_HTTP $PJ_SIP $SIPP_A $SIPP_B $SIPP_PING $CTRL_A $CTRL_B $CTRL_PING \
         $(seq "$MEDIA_A" $((MEDIA_PING + 3))); do
  if awk -v p=":$p" '{ if (substr($4, length($4) - length(p) + 1) == p) f=1 } END{exit !f}' <<< "$used"; then
    die "port $p is in use; set BENCH_PORT_BASE to a free range of 56 ports"
  fi
done
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# The watchdog: the run never outlives HARD_LIMIT_S, whatever hangs.
( trap 'kill "$sp" 2>/dev/null; wait "$sp"; exit 0' TERM; sleep "$HARD_LIMIT_S" & sp=$!; wait "$sp" && kill -TERM $$ ) &
watchdog_pid=$!

if [ "$build" = 1 ]; then
  say "building voicegate (release)"
  (cd "$root" && swift build -c release --product voicegate) > "$work/build.log" 2>&1 \
    || { tail -20 "$work/build.log" >&2; die "swift build failed"; }
fi
[ -x "$VG_BIN" ] || die "no $VG_BIN (run without --no-build)"

put started "$(date -u +%Y-%m-%dT%H:%MZ)"
put host "$(hostname), $(nproc) cores, $("$VG_BIN" version 2>/dev/null | head -1 || echo voicegate)"
put quick "$quick"
put ladder "$LADDER"
put cps_grid "$CPS_GRID"
put cps_seconds "$CPS_S"
put calls "concurrency steps: PCMA calls of ${CALL_S} s with g711a.pcap played in, new calls for ${GEN_S} s per step; calls/s: ${CPS_HOLD_MS} ms calls, no RTP from sipp"

# ---------------------------------------------------------------------------------------------
# The two sides
# ---------------------------------------------------------------------------------------------
side_port() { if [ "$1" = voicegate ]; then echo "$VG_SIP"; else echo "$PJ_SIP"; fi; }

start_voicegate() {
  cat > "$work/voicegate.json" <<EOF
{
  "sip": {"listen": "127.0.0.1", "port": $VG_SIP, "transports": ["udp", "tcp"],
          "rtpPortStart": $VG_RTP, "rtpPortCount": $VG_RTP_COUNT},
  "http": {"listen": "127.0.0.1", "port": $VG_HTTP},
  "calls": {"maxConcurrent": $MAX_CALLS},
  "shutdown": {"drainSeconds": 2},
  "trunks": [{"name": "bench", "sources": ["127.0.0.0/8"]}],
  "phoneNumbers": [{"number": "*", "bot": "demo"}],
  "bots": [{"id": "demo", "kind": "embedded", "applicationId": "demo"}],
  "store": {"path": "$work/voicegate.db"},
  "greeting": {"wav": "$WAV"},
  "log": {"level": "warning"}
}
EOF
  "$VG_BIN" run --config "$work/voicegate.json" >> "$work/voicegate.log" 2>&1 &
  side_pid=$!; track "$side_pid" "$VG_BIN"
  local t
  for t in $(seq 1 100); do
    alive "$side_pid" || { tail -5 "$work/voicegate.log" >&2; die "voicegate exited at start"; }
    [ "$(curl -s -m 1 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$VG_HTTP/healthz")" = 200 ] && return 0
    nap 0.2
  done
  die "voicegate not healthy after 20 s"
}

start_pjsua() {
  # pjsua reads its menu from stdin and quits at end of file: give it a FIFO this script keeps
  # open for writing (if the script dies, the FIFO closes and pjsua quits too).
  local fifo="$work/pjsua.in"
  rm -f "$fifo"; mkfifo "$fifo"
  exec {pj_fd}<>"$fifo"
  # Same limits and media set-up as VoiceGate: 8 kHz bridge, no VAD, no echo canceller, quality
  # 4, two SIP worker threads, PCMU and PCMA only, UDP and TCP, null sound device. No --auto-loop:
  # in pjsua it means echoing the caller's audio back (a second source mixed into every call),
  # not looping the prompt; the player already loops by default. --no-tones: no ring tone port.
  "$PJSUA" --null-audio --auto-answer 200 --play-file "$WAV" --auto-play --no-tones \
    --clock-rate 8000 --snd-clock-rate 8000 --no-vad --ec-tail 0 --quality 4 --thread-cnt 2 \
    --max-calls "$MAX_CALLS" --ip-addr 127.0.0.1 --bound-addr 127.0.0.1 --local-port "$PJ_SIP" \
    --rtp-port "$PJ_RTP" --dis-codec '*' --add-codec PCMU --add-codec PCMA \
    --log-level 1 --app-log-level 1 --no-color < "$fifo" > "$work/pjsua.out" 2>&1 &
  side_pid=$!; track "$side_pid" "$PJSUA"
  local t
  for t in $(seq 1 40); do
    alive "$side_pid" || { tail -5 "$work/pjsua.out" >&2; die "pjsua exited at start"; }
    ping_side pjsua && return 0
    nap 0.3
  done
  die "pjsua does not answer OPTIONS after 12 s"
}

stop_side() {
  local side=$1
  [ -n "$side_pid" ] || return 0
  if [ "$side" = pjsua ]; then
    alive "$side_pid" && printf 'q\n' >&"$pj_fd" 2>/dev/null
    reap "$side_pid" 8
    eval "exec $pj_fd>&-"; pj_fd=""
  else
    alive "$side_pid" && kill -TERM "$side_pid" 2>/dev/null   # idle: drains at once
    reap "$side_pid" 8
  fi
  side_pid=""
}

ping_side() {                     # OPTIONS must get 200 within 3 s
  "$SIPP" "127.0.0.1:$(side_port "$1")" -sf "$PING_XML" -i 127.0.0.1 -p "$SIPP_PING" -mp "$MEDIA_PING" \
    -cp "$CTRL_PING" -m 1 -nostdin -timeout 3 -timeout_error -recv_timeout 3000 > /dev/null 2>&1
}

active_calls() {                  # calls the side holds now, or ? when it cannot tell
  if [ "$1" = voicegate ]; then
    curl -s -m 2 "http://127.0.0.1:$VG_HTTP/metrics" | awk '/^voicegate_active_calls /{print $2; f=1} END{if(!f) print "?"}'
  else
    printf '\n' >&"$pj_fd" 2>/dev/null || { echo "?"; return; }
    nap 0.3
    grep -a 'You have' "$work/pjsua.out" | tail -1 | awk '{print $3}'
  fi
}

# Error lines the side has logged so far (VoiceGate: level=error; pjsua: any log line, as it logs
# at level 1, errors only). Reported, not judged: see "Failed call" above.
errors_logged() {
  if [ "$1" = voicegate ]; then grep -c 'level=error' "$work/voicegate.log" 2>/dev/null
  else grep -Ec '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} ' "$work/pjsua.out" 2>/dev/null; fi
}
side_log() { if [ "$1" = voicegate ]; then echo "$work/voicegate.log"; else echo "$work/pjsua.out"; fi; }
crashed() { put notes "$1 died during $2 (see ${3:-$(side_log "$1")}); "; say "$1 DIED during $2"; }

# Idle: alive, answers OPTIONS, and every call of the previous load is gone within 6 s.
healthy_idle() {
  local side=$1 n t
  alive "$side_pid" || { echo "dead"; return 1; }
  for t in $(seq 1 12); do
    n=$(active_calls "$side")
    [ "$n" = 0 ] && break
    nap 0.5
  done
  [ "$n" = 0 ] || { echo "calls_left=$n"; return 1; }
  ping_side "$side" || { echo "no_options"; return 1; }
  echo ok
}

idle_rss() {
  nap 2
  rss_kb "$side_pid"
}

# sipp placing load calls: start_load NAME PORTSET LEVEL GEN_SECONDS → sets load_pid, load_csv
start_load() {
  local name=$1 set=$2 level=$3 gen=$4 side=$5
  local port media ctrl
  if [ "$set" = A ]; then port=$SIPP_A; media=$MEDIA_A; ctrl=$CTRL_A; else port=$SIPP_B; media=$MEDIA_B; ctrl=$CTRL_B; fi
  load_csv="$work/$name.csv"
  local calls=$(( level * gen / CALL_S ))
  "$SIPP" "127.0.0.1:$(side_port "$side")" -sf "$LOAD_XML" -key pcap "$PCAP" -i 127.0.0.1 \
    -p "$port" -mp "$media" -cp "$ctrl" -s 1000 \
    -r "$level" -rp $((CALL_S * 1000)) -l "$level" -m "$calls" -d $((CALL_S * 1000 - PCAP_MS)) \
    -nostdin -buff_size 4194304 -recv_timeout 5000 -timeout $((gen + CALL_S + 20)) -timeout_error \
    -trace_stat -stf "$load_csv" -fd 1 -trace_err -error_file "$work/$name.errors" -max_log_size 2000000 \
    > "$work/$name.out" 2>&1 &
  load_pid=$!; track "$load_pid" "$SIPP"
  load_calls=$calls
}

# ---------------------------------------------------------------------------------------------
# 1. Concurrency ladder
# ---------------------------------------------------------------------------------------------
declare -A passed=()              # "side level" -> 1

# Judges a finished step from its sipp CSV: prints "verdict created failed conc retrans".
judge_step() {
  local level=$1 csv=$2 expected=$3 rc=$4 health=$5
  local created ok failed retrans conc lastc
  read -r created ok failed retrans conc lastc < <(python3 "$here/loadstats.py" sipp "$csv" \
    $((CALL_S + 1)) "$(calc "$GEN_S - 0.5" 1)")
  local verdict=pass
  if [ "$health" = dead ]; then verdict=died
  elif [ "$health" != ok ]; then verdict=unhealthy
  elif [ "$created" -lt "$expected" ] || [ "$rc" -ne 0 -a "$failed" -eq 0 ]; then verdict=incomplete
  elif [ $((failed * 1000)) -ge $((created * FAIL_LIMIT_PERMILLE)) ] && [ "$failed" -gt 0 ]; then verdict=failed
  elif awk -v c="$conc" -v l="$level" 'BEGIN{exit !(c < 0.95 * l)}'; then verdict=short
  fi
  echo "$verdict $created $failed $conc $retrans"
}

ladder() {
  local side=$1
  local prev_pid="" prev_csv="" prev_level="" prev_expected="" prev_health="" prev_stats=""
  local set=A level t0 c1 c2 w1 w2 s1 s2 rss health e0 e1
  e0=$(errors_logged "$side")
  local -a levels=($LADDER)
  for level in "${levels[@]}"; do
    # Time: this step's GEN_S, the last drain, and what the later phases need.
    if [ "$(budget_left)" -lt $((GEN_S + CALL_S + 5 + reserve_after_ladder)) ]; then
      say "$side: ladder stops before $level (time budget)"
      put notes "$side ladder stopped before $level by the time budget; "
      break
    fi
    t0=$EPOCHREALTIME
    start_load "$side-c$level" "$set" "$level" "$GEN_S" "$side"
    local cur_pid=$load_pid cur_csv=$load_csv cur_expected=$load_calls
    nap_until "$(tplus "$t0" $((CALL_S + 1)))"
    c1=$(cpu_ticks "$side_pid"); s1=$(cpu_ticks "$cur_pid"); w1=$EPOCHREALTIME
    # Health under load: answers OPTIONS.
    if alive "$side_pid" && ping_side "$side"; then health=ok; else health=no_options; fi
    alive "$side_pid" || health=dead
    nap_until "$(tplus "$t0" "$(calc "$GEN_S - 0.5" 1)")"
    c2=$(cpu_ticks "$side_pid"); s2=$(cpu_ticks "$cur_pid"); w2=$EPOCHREALTIME
    rss=$(rss_kb "$side_pid")
    e1=$(errors_logged "$side")
    local cpu_pct sipp_pct
    cpu_pct=$(calc "($c2 - $c1) / $hz / ($w2 - $w1) * 100" 1)
    if ! alive "$side_pid"; then health=dead; cpu_pct=-1; crashed "$side" "the $level-call step"; fi
    sipp_pct=$(calc "($s2 - $s1) / $hz / ($w2 - $w1) * 100" 0)
    # The previous step's calls have drained by now: judge it.
    if [ -n "$prev_pid" ]; then
      reap "$prev_pid" 15
      finish_step "$side" "$prev_level" "$prev_csv" "$prev_expected" "$wait_rc" "$prev_health" "$prev_stats"
      if [ "$step_verdict" != pass ]; then
        # Stop here: the running step places no more calls and ends when its calls have.
        alive "$cur_pid" && kill -USR1 "$cur_pid" 2>/dev/null
        reap "$cur_pid" $((CALL_S + 10))
        prev_pid=""
        healthy_idle "$side" > /dev/null
        break
      fi
    fi
    # Failing already (sipp's running count)? Then do not climb further.
    local so_far
    so_far=$(python3 "$here/loadstats.py" sipp "$cur_csv" 0 0 | awk '{print $3}')
    prev_pid=$cur_pid; prev_csv=$cur_csv; prev_level=$level; prev_expected=$cur_expected
    prev_health=$health; prev_stats="$cpu_pct $rss $sipp_pct $((e1 - e0))"; e0=$e1
    say "$side: $level calls up: process CPU ${cpu_pct}%, RSS $((rss / 1024)) MB, sipp CPU ${sipp_pct}%, OPTIONS $health"
    set=$([ "$set" = A ] && echo B || echo A)
    if [ "$health" != ok ] || [ "${so_far:-0}" -gt $(( level * GEN_S / CALL_S * FAIL_LIMIT_PERMILLE / 1000 )) ]; then
      break
    fi
  done
  if [ -n "$prev_pid" ]; then
    reap "$prev_pid" $((CALL_S + 25))
    local h; h=$(healthy_idle "$side")
    [ "$prev_health" = ok ] && [ "$h" != ok ] && prev_health=$h
    finish_step "$side" "$prev_level" "$prev_csv" "$prev_expected" "$wait_rc" "$prev_health" "$prev_stats"
  fi
}

finish_step() {
  local side=$1 level=$2 csv=$3 expected=$4 rc=$5 health=$6 stats=$7
  local verdict created failed conc retrans
  read -r verdict created failed conc retrans < <(judge_step "$level" "$csv" "$expected" "$rc" "$health")
  local cpu rss sipp errs; read -r cpu rss sipp errs <<< "$stats"
  put "$side.step.$level" "$verdict $created $failed $conc $cpu $rss $sipp $health $retrans $errs"
  say "$side: step $level: $verdict ($failed of $created failed, $retrans retransmissions, mean concurrency $conc," \
      "$errs errors logged by $side)"
  [ "$verdict" = pass ] && passed["$side $level"]=1
  step_verdict=$verdict
}

# ---------------------------------------------------------------------------------------------
# 2. Calls per second
# ---------------------------------------------------------------------------------------------
cps_trial() {                     # sets trial_verdict, trial_created, trial_failed, trial_achieved, trial_cpu
  local side=$1 rate=$2
  local calls=$((rate * CPS_S)) name="$side-r$rate"
  local t0=$EPOCHREALTIME c1 c2 e0
  c1=$(cpu_ticks "$side_pid"); e0=$(errors_logged "$side")
  "$SIPP" "127.0.0.1:$(side_port "$side")" -sf "$SHORT_XML" -i 127.0.0.1 -p "$SIPP_A" -mp "$MEDIA_A" \
    -cp "$CTRL_A" -s 1000 -r "$rate" -l $((rate * 3)) -m "$calls" -d "$CPS_HOLD_MS" \
    -nostdin -buff_size 4194304 -recv_timeout 5000 -timeout $((CPS_S + 20)) -timeout_error \
    -trace_stat -stf "$work/$name.csv" -fd 1 -trace_err -error_file "$work/$name.errors" -max_log_size 2000000 \
    > "$work/$name.out" 2>&1 &
  local pid=$!; track "$pid" "$SIPP"
  # sipp's own CPU, sampled while it runs (its /proc entry is gone once reaped)
  local sp1 sp2 wp1 wp2
  nap 1; sp1=$(cpu_ticks "$pid"); wp1=$EPOCHREALTIME
  nap $((CPS_S - 2)); sp2=$(cpu_ticks "$pid"); wp2=$EPOCHREALTIME
  reap "$pid" $((CPS_S + 25))
  local rc=$wait_rc
  c2=$(cpu_ticks "$side_pid")
  local wall; wall=$(calc "$EPOCHREALTIME - $t0" 3)
  local created ok failed retrans conc lastc
  read -r created ok failed retrans conc lastc < <(python3 "$here/loadstats.py" sipp "$work/$name.csv" 0 0)
  local achieved; achieved=$(calc "$created / ($lastc > 0 ? $lastc : 1)" 0)
  local health; health=$(healthy_idle "$side")
  trial_verdict=pass
  if [ "$health" = dead ]; then trial_verdict=died; crashed "$side" "the $rate calls/s trial"
  elif [ "$health" != ok ]; then trial_verdict=unhealthy
  elif [ "$failed" -gt 0 ]; then trial_verdict=failed
  elif [ "$ok" -lt "$calls" ] || [ "$rc" -ne 0 ]; then trial_verdict=incomplete
  elif awk -v a="$achieved" -v r="$rate" 'BEGIN{exit !(a < 0.95 * r)}'; then trial_verdict=short
  fi
  trial_created=$created; trial_failed=$failed; trial_achieved=$achieved; trial_retrans=$retrans
  if [ "$sp2" -gt 0 ]; then trial_sipp=$(calc "($sp2 - $sp1) / $hz / ($wp2 - $wp1) * 100" 0); else trial_sipp="?"; fi
  trial_cpu=$(calc "($c2 - $c1) / $hz / $wall * 100" 0)
  [ "$health" = dead ] && trial_cpu="?"
  trial_errors=$(( $(errors_logged "$side") - e0 ))
}

cps_search() {
  local side=$1
  local -a grid=($CPS_GRID)
  local lo=-1 hi=${#grid[@]} trials=0 log=""
  while [ $((hi - lo)) -gt 1 ] && [ "$trials" -lt "$CPS_TRIALS" ]; do
    if [ "$(budget_left)" -lt $((CPS_S + 10 + reserve_after_cps)) ]; then
      say "$side: calls/s search stops (time budget)"; put notes "$side calls/s search cut by the time budget; "
      break
    fi
    local mid=$(( (lo + hi) / 2 )) rate
    rate=${grid[$mid]}
    cps_trial "$side" "$rate"
    say "$side: $rate calls/s for ${CPS_S} s: $trial_verdict ($trial_failed of $trial_created failed," \
        "$trial_retrans retransmissions, achieved $trial_achieved/s, process CPU ${trial_cpu}%, sipp CPU ${trial_sipp}%," \
        "$trial_errors errors logged by $side)"
    log+="$rate:$trial_verdict:$trial_failed/$trial_created:$trial_achieved:$trial_cpu%:$trial_sipp%:$trial_errors "
    if [ "$trial_verdict" = pass ]; then lo=$mid; else hi=$mid; fi
    trials=$((trials + 1))
    if { [ "$trial_verdict" = unhealthy ] || [ "$trial_verdict" = died ]; } \
       && [ "$trials" -lt "$CPS_TRIALS" ] && [ $((hi - lo)) -gt 1 ]; then
      say "$side: restarting it (trial verdict: $trial_verdict)"; stop_side "$side"; "start_$side"
    fi
  done
  put "$side.cps_trials" "${log% }"
  if [ "$lo" -ge 0 ]; then put "$side.cps" "${grid[$lo]}"; elif [ "$trials" -gt 0 ]; then put "$side.cps" none; fi
}

# ---------------------------------------------------------------------------------------------
# 3. Turn latency (VoiceGate only), through `voicegate call`
# ---------------------------------------------------------------------------------------------
latency_script="$work/latency.script"
{
  for i in $(seq 1 "$LAT_DIGITS"); do printf 'wait\ndtmf %s\n' $((i % 10)); done
  printf 'wait\nhangup\n'
} > "$latency_script"

latency_calls() {                 # latency_calls COND → stores voicegate.latency.COND
  local cond=$1 i=0 t_phase=$EPOCHREALTIME last=0 files=()
  lat_last=0
  while [ "$i" -lt "$LAT_CALLS" ]; do
    local spent; spent=$(calc "$EPOCHREALTIME - $t_phase" 0)
    if [ "$i" -gt 0 ] && [ $((spent + last)) -gt "$LAT_BUDGET_S" ]; then break; fi
    if [ "$i" -gt 0 ] && [ "$(budget_left)" -lt $((last + 15)) ]; then break; fi
    local t1=$EPOCHREALTIME out="$work/latency-$cond-$i.json"
    timeout 90 "${CALL_CMD[@]}" 1000 --gateway "127.0.0.1:$VG_SIP" --script "$latency_script" \
      > "$out" 2> "$work/latency-$cond-$i.log" &
    local pid=$!; track "$pid" "timeout"
    reap "$pid" 95
    last=$(calc "$EPOCHREALTIME - $t1" 0)
    files+=("$out"); i=$((i + 1))
  done
  lat_last=$last
  local calls="$i call"; [ "$i" -gt 1 ] && calls+="s"
  local n nulls p50 p95
  read -r n nulls p50 p95 < <(python3 "$here/loadstats.py" latency "${files[@]}")
  if [ "$n" -gt 0 ]; then
    put "voicegate.latency.$cond" "$p50 / $p95 (n=$n, $nulls unanswered, $calls)"
  else
    put "voicegate.latency.$cond" "n/a (no reply measured in $calls)"
  fi
  say "turn latency, $cond: n=$n unanswered=$nulls p50=$p50 ms p95=$p95 ms"
}

# Contract of the softphone (being built): `voicegate call 1000 --gateway HOST:PORT --script FILE`
# places a call, runs the script (one step a line: wait | dtmf D | pause SECONDS | hangup) and prints
# one JSON object on stdout when the call ends: {"answered": bool, "status": 200, "sent": [{"kind":
# "dtmf", "detail": "5", "startMs", "endMs", "replyMs"}], "heard": [{"startMs", "endMs"}]}, replyMs
# being the time from the end of the item to the first voiced audio heard after it (null if none).
# The demo bot answers each digit with a short prompt. Unavailable (`--help` fails) → n/a.
latency() {
  if ! "${CALL_CMD[@]}" --help > /dev/null 2>&1; then
    put voicegate.latency.idle "n/a (voicegate call not available)"
    put voicegate.latency.load "n/a (voicegate call not available)"
    say "turn latency: n/a (voicegate call not available)"
    return
  fi
  latency_calls idle
  local level=""
  for l in $LADDER; do [ -n "${passed[voicegate $l]:-}" ] && [ -n "${passed[pjsua $l]:-}" ] && level=$l; done
  if [ -z "$level" ]; then
    put voicegate.latency.load "n/a (no load level both sides sustain)"; return
  fi
  if [ "$(budget_left)" -lt $((2 * CALL_S + 15 + lat_last)) ]; then
    put voicegate.latency.load "n/a (time budget)"; put notes "latency under load skipped by the time budget; "
    return
  fi
  put latency_load_level "$level"
  say "turn latency under $level calls"
  start_load "voicegate-latency-load" A "$level" 1000 voicegate
  local pid=$load_pid
  nap $((CALL_S + 1))
  latency_calls load
  alive "$pid" && kill -USR1 "$pid" 2>/dev/null      # sipp: place no more calls, end when done
  reap "$pid" $((CALL_S + 15))
  local created ok failed rest
  read -r created ok failed rest < <(python3 "$here/loadstats.py" sipp "$load_csv" 0 0)
  sed -i "s|^\(voicegate.latency.load .*\))$|\1; load: $failed of $created calls failed)|" "$results"
}

# ---------------------------------------------------------------------------------------------
# Run
# ---------------------------------------------------------------------------------------------
sides="pjsua voicegate"           # pjsua first: the latency load level needs both ladders
[ -n "$only" ] && sides=$only
lat_reserve=0
"${CALL_CMD[@]}" --help > /dev/null 2>&1 && [ "$only" != pjsua ] && lat_reserve=$((LAT_BUDGET_S + 2 * CALL_S + 35))
n_sides=$(wc -w <<< "$sides")
k=0
for side in $sides; do
  k=$((k + 1))
  later_sides=$((n_sides - k))
  # What must stay available after each phase of this side: a minimal run of what follows.
  reserve_after_cps=$(( later_sides * ( 3 * GEN_S + CALL_S + CPS_S + 30 ) + lat_reserve ))
  reserve_after_ladder=$(( CPS_S + 15 + reserve_after_cps ))

  say "$side: starting"
  "start_$side"
  put "$side.idle_rss_kb" "$(idle_rss)"
  say "$side: idle RSS $(( $(rss_kb "$side_pid") / 1024 )) MB; concurrency ladder $LADDER"
  ladder "$side"
  stop_side "$side"

  say "$side: calls/s search over $CPS_GRID (${CPS_S} s trials, ${CPS_HOLD_MS} ms calls)"
  "start_$side"
  cps_search "$side"
  if [ "$side" = voicegate ]; then latency; fi
  stop_side "$side"
done

put wall_seconds "$(calc "$(elapsed)" 0)"
put complete 1
echo >&2
python3 "$here/loadstats.py" report "$results" "$table"
report_done=1
say "table written to $table; logs in $work"
