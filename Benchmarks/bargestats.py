#!/usr/bin/env python3
"""Barge-in latency from a loopback capture, for Benchmarks/barge-in.sh (standard library only).

  bargestats.py PCAP RTP_LO RTP_HI CALLS [LIMIT_MS]

PCAP is a libpcap file (dumpcap -P) of the UDP traffic to and from the gateway's RTP ports
RTP_LO..RTP_HI. Every RTP port pair seen is one call, taken in the order its first packet was
captured: the first is the reference call (no key pressed), the CALLS after it each had one key
pressed during the prompt. Prints one line per call, then p50 / p95 / max and the baseline.

Exit status: 0 when every keyed call stopped within LIMIT_MS (default 200), 3 when some did not,
1 when the capture cannot answer the question (calls missing, no DTMF or no prompt audio seen,
digital silence inside the prompt of the reference call, RTP packets lost around a key).
"""
import math
import struct
import sys

RTCP_TYPES = range(200, 205)        # SR, RR, SDES, BYE, APP: the second byte of an RTCP packet


def _ulaw(code):
    code = ~code & 0xFF
    magnitude = ((((code & 0x0F) << 3) + 0x84) << ((code >> 4) & 7)) - 0x84
    return -magnitude if code & 0x80 else magnitude


def _alaw(code):
    code ^= 0x55
    exponent, mantissa = (code >> 4) & 7, code & 0x0F
    magnitude = (mantissa << 4) + 8 if exponent == 0 else ((mantissa << 4) + 0x108) << (exponent - 1)
    return magnitude if code & 0x80 else -magnitude


# Sum of absolute sample values per payload byte, by codec: 0 only for digital silence.
LEVEL = {0: [abs(_ulaw(c)) for c in range(256)], 8: [abs(_alaw(c)) for c in range(256)]}


class Packet:
    __slots__ = ("t", "pt", "marker", "seq", "ts", "payload")

    def __init__(self, t, pt, marker, seq, ts, payload):
        self.t, self.pt, self.marker, self.seq, self.ts, self.payload = t, pt, marker, seq, ts, payload

    def level(self):
        table = LEVEL.get(self.pt)
        return None if table is None else sum(table[b] for b in self.payload)


def read_pcap(path):
    """Yields (time, src, sport, dst, dport, udp payload) of every IPv4 UDP packet."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError(f"{path}: not a pcap file (write it with dumpcap -P)")
    for endian in "<>":
        magic = struct.unpack(endian + "I", data[:4])[0]
        if magic in (0xA1B2C3D4, 0xA1B23C4D):
            break
    else:
        raise ValueError(f"{path}: not a libpcap file (pcapng? capture with dumpcap -P)")
    scale = 1e-6 if magic == 0xA1B2C3D4 else 1e-9
    link = struct.unpack(endian + "I", data[20:24])[0] & 0xFFFF
    skip = {1: 14, 113: 16, 276: 20, 0: 4, 101: 0}.get(link)
    if skip is None:
        raise ValueError(f"{path}: unsupported link type {link}")
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        frame = data[off:off + incl]
        off += incl
        ip = frame[skip:]
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 0x0F) * 4
        sport, dport = struct.unpack(">HH", ip[ihl:ihl + 4])
        yield sec + frac * scale, ip[12:16], sport, ip[16:20], dport, ip[ihl + 8:]


def parse_rtp(t, udp):
    if len(udp) < 12 or udp[0] >> 6 != 2 or udp[1] in RTCP_TYPES:
        return None
    header = 12 + 4 * (udp[0] & 0x0F)
    if udp[0] & 0x10 and len(udp) >= header + 4:                  # header extension
        header += 4 + 4 * struct.unpack(">H", udp[header + 2:header + 4])[0]
    payload = udp[header:]
    if udp[0] & 0x20 and payload:                                  # padding
        payload = payload[:-payload[-1]]
    seq, ts = struct.unpack(">HI", udp[2:8])
    return Packet(t, udp[1] & 0x7F, udp[1] >> 7, seq, ts, payload)


def calls_in(path, lo, hi):
    """Each RTP port pair with a gateway port in lo..hi: (first time, to gateway, from gateway)."""
    pairs = {}
    for t, src, sport, dst, dport, udp in read_pcap(path):
        packet = parse_rtp(t, udp)
        if packet is None:
            continue
        if lo <= dport <= hi:
            key, direction = (dst, dport, src, sport), 0
        elif lo <= sport <= hi:
            key, direction = (src, sport, dst, dport), 1
        else:
            continue
        entry = pairs.setdefault(key, [t, [], []])
        entry[1 + direction].append(packet)
    return sorted((v for v in pairs.values()), key=lambda v: v[0])


def is_event(packet):
    # RFC 4733: a dynamic payload type carrying 4-byte event blocks (telephone-event).
    return packet.pt >= 96 and len(packet.payload) >= 4 and len(packet.payload) % 4 == 0


def gaps(packets):
    """Sequence numbers missing from a stream (modulo 2^16)."""
    missing = 0
    for a, b in zip(packets, packets[1:]):
        missing += (b.seq - a.seq - 1) & 0xFFFF if (b.seq - a.seq) & 0xFFFF < 0x8000 else 0
    return missing


def analyze_keyed(to_gw, from_gw):
    """One keyed call: a dict of figures, or {"error": why}."""
    events = [p for p in to_gw if is_event(p)]
    if not events:
        return {"error": "no RFC 4733 DTMF packet from the caller"}
    key = events[0]
    ended = next((p for p in events if p.payload[1] & 0x80), None)
    audio = [p for p in from_gw if p.pt in LEVEL]
    voiced = [p for p in audio if p.level() > 0]
    if not voiced:
        return {"error": "no prompt audio from the gateway"}
    start = voiced[0]
    if key.t < start.t:
        return {"error": "the key came before the prompt started"}
    before = [p for p in audio if p.t <= key.t]
    stop = next((p for p in audio if p.t > key.t and p.level() == 0), None)
    result = {
        "offset_ms": (key.t - start.t) * 1000,
        "key_end_ms": (ended.t - key.t) * 1000 if ended else None,
        # The last packet a gateway that stopped the instant the key's first packet arrived would
        # still have sent: the packetization floor of this call.
        "floor_ms": (before[-1].t - key.t) * 1000,
        "lost": gaps([p for p in audio if abs(p.t - key.t) < 1.0]),
    }
    if stop is None:
        result.update(error=None, stopped=False)
        return result
    last = max((p for p in audio if p.t < stop.t and p.level() > 0), key=lambda p: p.t)
    after = [p for p in audio if key.t < p.t < stop.t]
    result.update(
        error=None, stopped=True,
        latency_ms=(last.t - key.t) * 1000,
        # The first packet without prompt audio: the stop happened between `last` and it.
        silent_ms=(stop.t - key.t) * 1000,
        # RTP timestamps of the gateway's own stream: how much audio it sent after the key
        # (from the packet in flight when the key arrived to the last voiced one).
        rtp_ms=((last.ts - before[-1].ts) & 0xFFFFFFFF) / 8.0 if last.ts != before[-1].ts else 0.0,
        frames_after=len(after),
    )
    if result["rtp_ms"] > 2 ** 31 / 8:                             # last voiced before the key
        result["rtp_ms"] -= 2 ** 32 / 8
    return result


def analyze_reference(from_gw):
    """The call without a key: how long it heard prompt audio and whether any of it was digital
    silence (which would make 'the first silent packet after the key' ambiguous)."""
    audio = [p for p in from_gw if p.pt in LEVEL]
    voiced = [i for i, p in enumerate(audio) if p.level() > 0]
    if not voiced:
        return None
    inside = audio[voiced[0]:voiced[-1] + 1]
    return {"prompt_ms": (audio[voiced[-1]].t - audio[voiced[0]].t) * 1000,
            "silent_inside": sum(1 for p in inside if p.level() == 0),
            "intervals": [(b.t - a.t) * 1000 for a, b in zip(inside, inside[1:])]}


def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def fmt(value, unit=" ms"):
    if value is None:
        return "-"
    return "not stopped" if value == float("inf") else f"{value:.1f}{unit}"


def main(argv):
    if len(argv) not in (5, 6):
        print(__doc__, file=sys.stderr)
        return 2
    path, lo, hi, count = argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    limit = float(argv[5]) if len(argv) == 6 else 200.0
    calls = calls_in(path, lo, hi)
    problems = []
    if len(calls) != count + 1:
        problems.append(f"{len(calls)} calls in the capture, expected {count + 1} (the reference and {count} keyed)")
    if not calls:
        print("no RTP in the capture", file=sys.stderr)
        return 1

    reference = analyze_reference(calls[0][2])
    if reference is None:
        problems.append("reference call: no prompt audio from the gateway")
    else:
        if reference["silent_inside"]:
            problems.append(f"reference call: {reference['silent_inside']} digitally silent packets inside the prompt")
        if any(is_event(p) for p in calls[0][1]):
            problems.append("reference call: the caller sent DTMF")

    print(f"{'call':>4} {'key at':>8} {'to last voiced':>15} {'to 1st silent':>14} {'RTP ts advance':>15}"
          f" {'frames after':>13} {'floor':>9} {'key end (E)':>12}")
    results = []
    for n, (_, to_gw, from_gw) in enumerate(calls[1:], 1):
        r = analyze_keyed(to_gw, from_gw)
        if r["error"]:
            problems.append(f"call {n}: {r['error']}")
            print(f"{n:>4}  {r['error']}")
            continue
        if r["lost"]:
            problems.append(f"call {n}: {r['lost']} gateway RTP packets missing within 1 s of the key")
        results.append(r)
        if r["stopped"]:
            print(f"{n:>4} {r['offset_ms'] / 1000:>7.2f}s {fmt(r['latency_ms']):>15} {fmt(r['silent_ms']):>14}"
                  f" {fmt(r['rtp_ms']):>15} {r['frames_after']:>13} {fmt(r['floor_ms']):>9} {fmt(r['key_end_ms']):>12}")
        else:
            print(f"{n:>4} {r['offset_ms'] / 1000:>7.2f}s {'not stopped':>15} {'-':>14} {'-':>15} {'-':>13}"
                  f" {fmt(r['floor_ms']):>9} {fmt(r['key_end_ms']):>12}")

    print()
    if reference:
        iv = reference["intervals"]
        print(f"reference call (no key): prompt audio for {reference['prompt_ms'] / 1000:.1f} s, "
              f"{reference['silent_inside']} digitally silent packets inside it")
    if results:
        stopped = [r for r in results if r["stopped"]]
        inf = float("inf")
        lat = [r["latency_ms"] if r["stopped"] else inf for r in results]
        within = sum(1 for v in lat if v <= limit)
        print(f"barge-in, first DTMF packet -> last voiced gateway packet ({len(results)} calls, capture time):")
        print(f"  p50 {fmt(percentile(lat, 50))}   p95 {fmt(percentile(lat, 95))}   max {fmt(max(lat))}"
              f"   within {limit:.0f} ms: {within}/{len(results)}")
        if stopped:
            silent = [r["silent_ms"] for r in stopped]
            print(f"  first silent gateway packet after the key (the stop happened before it):"
                  f" p50 {fmt(percentile(silent, 50))}   p95 {fmt(percentile(silent, 95))}   max {fmt(max(silent))}")
            rtp = [r["rtp_ms"] for r in stopped]
            frames = [r["frames_after"] for r in stopped]
            print(f"  RTP timestamp advance of the gateway's stream from the key to its last voiced packet:"
                  f" p50 {fmt(percentile(rtp, 50))}   p95 {fmt(percentile(rtp, 95))}   max {fmt(max(rtp))}")
            print(f"  voiced 20 ms frames sent after the key: p50 {percentile(frames, 50)}   p95 {percentile(frames, 95)}"
                  f"   max {max(frames)}")
        floor = [r["floor_ms"] for r in results]
        print("baseline, same run:")
        print(f"  packetization floor (a gateway that stops the instant the key arrives; its last packet"
              f" before the key): p50 {fmt(percentile(floor, 50))}   p95 {fmt(percentile(floor, 95))}")
        if stopped:
            excess = [r["latency_ms"] - r["floor_ms"] for r in stopped]
            print(f"  measured minus floor: p50 {fmt(percentile(excess, 50))}   p95 {fmt(percentile(excess, 95))}"
                  f"   ({percentile(excess, 95) / 20:.1f} frames of 20 ms at p95)")
        if reference and reference["intervals"]:
            print(f"  gateway packet interval during the reference prompt: p50 {fmt(percentile(iv, 50))}"
                  f"   p95 {fmt(percentile(iv, 95))}   max {fmt(max(iv))} (scheduling noise of this machine)")
        ends = [r["key_end_ms"] for r in results if r["key_end_ms"] is not None]
        if ends:
            print(f"  the key's end (first packet with the E bit) came {fmt(percentile(ends, 50))} after its first"
                  f" packet (p50): what a gateway that waits for the end adds")
    else:
        problems.append("no keyed call could be measured")

    if problems:
        print()
        for p in problems:
            print(f"measurement failed: {p}")
        return 1
    if any(not r["stopped"] or r["latency_ms"] > limit for r in results):
        print(f"\nFAIL: not every barge-in stopped the prompt within {limit:.0f} ms")
        return 3
    print(f"\nPASS: every barge-in stopped the prompt within {limit:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
