#!/usr/bin/env python3
"""Number crunching for Benchmarks/load.sh (standard library only).

  loadstats.py sipp CSV FROM TO       one sipp run, from its -trace_stat file (-fd 1): prints
                                      "created successful failed retrans conc_avg last_created_s"
                                      where conc_avg is sipp's CurrentCall averaged over the rows
                                      FROM..TO seconds after sipp started, and last_created_s is when
                                      the last call was created
  loadstats.py latency FILE...        `voicegate call` JSON results: prints "n nulls p50 p95" of the
                                      replyMs of every DTMF item sent (nulls = digits never answered)
  loadstats.py report RESULTS OUT     the final table from the key/value lines load.sh wrote; prints
                                      it and writes it to OUT
"""
import csv
import json
import math
import sys


def seconds(text):
    # sipp writes ElapsedTime(C) as HH:MM:SS or HH:MM:SS:micro
    parts = text.split(":")
    h, m, s = int(parts[0]), int(parts[1]), int(parts[2])
    micro = int(parts[3]) if len(parts) > 3 else 0
    return h * 3600 + m * 60 + s + micro / 1e6


def sipp_summary(path, t_from, t_to):
    with open(path, newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    if len(rows) < 2:
        print("0 0 0 0 0 0")
        return
    head = rows[0]
    data = [dict(zip(head, r)) for r in rows[1:] if len(r) >= len(head) - 1]
    last = data[-1]
    created = int(last["TotalCallCreated"])
    conc = [int(d["CurrentCall"]) for d in data if t_from <= seconds(d["ElapsedTime(C)"]) <= t_to]
    conc_avg = sum(conc) / len(conc) if conc else 0
    last_created = next((seconds(d["ElapsedTime(C)"]) for d in data if int(d["TotalCallCreated"]) >= created),
                        seconds(last["ElapsedTime(C)"]))
    print(created, int(last["SuccessfulCall(C)"]), int(last["FailedCall(C)"]), int(last["Retransmissions(C)"]),
          f"{conc_avg:.1f}", f"{last_created:.0f}")


def percentile(values, p):
    # nearest rank
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def latency(paths):
    replies, nulls = [], 0
    for path in paths:
        try:
            with open(path) as f:
                result = json.loads(f.read().strip().splitlines()[-1])
        except (OSError, ValueError, IndexError):
            continue
        if not result.get("answered"):
            continue
        for item in result.get("sent", []):
            if item.get("kind") != "dtmf":
                continue
            if item.get("replyMs") is None:
                nulls += 1
            else:
                replies.append(float(item["replyMs"]))
    if replies:
        print(len(replies), nulls, f"{percentile(replies, 50):.0f}", f"{percentile(replies, 95):.0f}")
    else:
        print(0, nulls, "-", "-")


# ----------------------------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------------------------

SIDES = ("voicegate", "pjsua")


def load_results(path):
    kv, steps = {}, {s: {} for s in SIDES}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            key, _, value = line.partition(" ")
            parts = key.split(".")
            if len(parts) == 3 and parts[1] == "step":
                # side.step.LEVEL verdict created failed conc cpu_pct rss_kb sipp_cpu_pct health retrans
                v = value.split()
                steps[parts[0]][int(parts[2])] = {
                    "verdict": v[0], "created": int(v[1]), "failed": int(v[2]), "conc": float(v[3]),
                    "cpu": float(v[4]), "rss": float(v[5]), "sipp_cpu": float(v[6]), "health": v[7],
                    "retrans": int(v[8]) if len(v) > 8 else 0, "errors": v[9] if len(v) > 9 else "?"}
            elif key == "notes" and key in kv:
                kv[key] += value
            else:
                kv[key] = value
    return kv, steps


def fmt(x, digits=2, unit=""):
    if x is None:
        return "n/a"
    return f"{x:.{digits}f}{unit}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}"


def report(results_path, out_path):
    kv, steps = load_results(results_path)
    ladder = [int(x) for x in kv.get("ladder", "").split()]

    def highest(side):
        passed = [lvl for lvl, s in steps[side].items() if s["verdict"] == "pass"]
        return max(passed) if passed else None

    def per_call(side, level):
        s = steps[side].get(level) if level is not None else None
        if not s or s["conc"] <= 0 or s["cpu"] < 0:
            return None, None
        idle = float(kv.get(f"{side}.idle_rss_kb", "nan"))
        cpu = s["cpu"] / s["conc"]
        rss = (s["rss"] - idle) / s["conc"]
        return cpu, rss

    top = {s: highest(s) for s in SIDES}
    both = [lvl for lvl in ladder if all(steps[s].get(lvl, {}).get("verdict") == "pass" for s in SIDES)]
    common = max(both) if both else None

    footnotes = []

    def flag(side, what, errors):
        # a figure earned while the side logged errors: mark it, say so under the table
        if errors in ("0", "?", ""):
            return ""
        footnotes.append(f"* {side} logged {errors} error lines during {what}; sipp saw no failed call "
                         f"(see logs-latest/{'voicegate.log' if side == 'voicegate' else 'pjsua.out'})")
        return " *"

    def level_text(side):
        h = top[side]
        if not steps[side]:
            return "n/a"
        if h is None:
            return f"< {ladder[0]}" if ladder else "n/a"
        tried = sorted(steps[side])
        capped = h == max(tried) and h == ladder[-1]
        return (">= " if capped else "") + str(h) + flag(side, f"the {h}-call step", steps[side][h]["errors"])

    def cps(side):
        v = kv.get(f"{side}.cps")
        return None if v in (None, "", "none") else float(v)

    def cps_text(side):
        v = kv.get(f"{side}.cps")
        if v is None:
            return "n/a"
        if v == "none":
            return f"< {kv.get('cps_grid', '?').split()[0]}"
        grid = [int(x) for x in kv.get("cps_grid", "").split()]
        errors = ""
        for trial in kv.get(f"{side}.cps_trials", "").split():
            fields = trial.split(":")
            if fields[0] == v and len(fields) > 6:
                errors = fields[6]
        return (">= " if grid and int(float(v)) == grid[-1] else "") + v + flag(side, f"the {v} calls/s trial", errors)

    rows = []

    def add(label, vg, pj, r):
        rows.append((label, vg, pj, r))

    add("max concurrent calls (<0.1% failed)", level_text("voicegate"), level_text("pjsua"),
        ratio(top["voicegate"], top["pjsua"]))
    cl = common
    for title, lv in ((f"at common level {cl if cl is not None else 'n/a'}", {s: cl for s in SIDES}),
                      ("at each side's highest level", top)):
        vg_cpu, vg_rss = per_call("voicegate", lv["voicegate"])
        pj_cpu, pj_rss = per_call("pjsua", lv["pjsua"])
        suffix = "" if lv is not top else f" ({lv['voicegate'] or 'n/a'} / {lv['pjsua'] or 'n/a'})"
        add(f"CPU % (of a core) per call, {title}{suffix}", fmt(vg_cpu, 3), fmt(pj_cpu, 3), ratio(vg_cpu, pj_cpu))
        add(f"RSS KB per call, {title}{suffix}", fmt(vg_rss, 0), fmt(pj_rss, 0), ratio(vg_rss, pj_rss))
    add(f"calls/s, 0 failures over {kv.get('cps_seconds', '?')} s", cps_text("voicegate"), cps_text("pjsua"),
        ratio(cps("voicegate"), cps("pjsua")))
    add("idle RSS MB", fmt(float(kv["voicegate.idle_rss_kb"]) / 1024, 0) if "voicegate.idle_rss_kb" in kv else "n/a",
        fmt(float(kv["pjsua.idle_rss_kb"]) / 1024, 0) if "pjsua.idle_rss_kb" in kv else "n/a",
        ratio(float(kv["voicegate.idle_rss_kb"]) if "voicegate.idle_rss_kb" in kv else None,
              float(kv["pjsua.idle_rss_kb"]) if "pjsua.idle_rss_kb" in kv else None))

    w0 = max(len(r[0]) for r in rows)
    w1 = max(len("VoiceGate"), *(len(r[1]) for r in rows))
    w2 = max(len("pjsua"), *(len(r[2]) for r in rows))
    lines = []
    lines.append(f"VoiceGate vs pjsua sample app, {kv.get('started', '?')}, {kv.get('host', '?')}"
                 f"{' (QUICK smoke run)' if kv.get('quick') == '1' else ''}{' (INCOMPLETE)' if kv.get('complete') != '1' else ''}")
    lines.append(f"{'':{w0}}  {'VoiceGate':>{w1}}  {'pjsua':>{w2}}  VG/pjsua")
    for label, a, b, r in rows:
        lines.append(f"{label:{w0}}  {a:>{w1}}  {b:>{w2}}  {r:>8}")
    lines.extend(footnotes)
    lines.append("")
    lines.append("Turn latency, VoiceGate only (end of a DTMF digit to the first voiced audio of the reply), "
                 "p50 / p95 ms:")
    lines.append(f"  idle:       {kv.get('voicegate.latency.idle', 'n/a (not run)')}")
    level = kv.get("latency_load_level")
    lines.append(f"  under load{' (' + level + ' calls)' if level else ''}: "
                 f"{kv.get('voicegate.latency.load', 'n/a (not run)')}")
    lines.append("")
    lines.append("Concurrency steps (target calls: verdict, failed/created calls, sipp retransmissions, mean "
                 "concurrency, process CPU %, RSS MB, sipp CPU %, health, errors the side logged):")
    for side in SIDES:
        parts = []
        for lvl in sorted(steps[side]):
            s = steps[side][lvl]
            cpu = "dead" if s["cpu"] < 0 else f"{s['cpu']:.0f}%"
            parts.append(f"  {lvl}: {s['verdict']}, {s['failed']}/{s['created']}, {s['retrans']}, {s['conc']:.0f}, "
                         f"{cpu}, {s['rss'] / 1024:.0f}, {s['sipp_cpu']:.0f}%, {s['health']}, {s['errors']}")
        lines.append(f" {side}:" + ("" if parts else " none run"))
        lines.extend(parts)
    for side in SIDES:
        trials = kv.get(f"{side}.cps_trials")
        if trials:
            lines.append(f" {side} calls/s trials (rate:verdict:failed/created:achieved/s:process CPU:sipp CPU:errors logged): {trials}")
    for key in ("calls", "notes"):
        if key in kv:
            lines.append(f"{key}: {kv[key].strip().rstrip(';')}")
    lines.append(f"wall time: {kv.get('wall_seconds', '?')} s")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    with open(out_path, "w") as f:
        f.write(text)


def main(argv):
    if len(argv) >= 4 and argv[1] == "sipp":
        sipp_summary(argv[2], float(argv[3]), float(argv[4]) if len(argv) > 4 else 1e9)
    elif len(argv) >= 2 and argv[1] == "latency":
        latency(argv[2:])
    elif len(argv) == 4 and argv[1] == "report":
        report(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
