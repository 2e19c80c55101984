#!/usr/bin/env python3
"""Compare synfin's report with bench-gen's truth file.

usage: compare.py [--show N] SYNFIN_REPORT TRUTH

SYNFIN_REPORT is synfin's `-F jsonl` output (one connection per line, then a
summary line) or its `-F json` document; "-" reads it from stdin, so
`synfin -r x.pcap -F jsonl | compare.py - x.truth.jsonl` needs no disk.
TRUTH is the JSON Lines file written by `bench-gen --truth`.

Connections are matched by (client addr, client port, server addr, server
port, first_frame); addresses are compared in canonical form.  For every
truth connection the handshake outcome, teardown outcome and the set of
violation codes must all agree.  Prints per-field agreement, per-code
counts, the first few mismatches and finally

    agreement: X/Y (Z%)

where Y is the number of truth connections and X those that synfin reported
with the same key and the same three results.  Exit status: 0 when every
truth connection agrees and synfin reported no extra connection, 1 when not,
2 on unreadable input.  Python 3 standard library only.
"""
import argparse
import ipaddress
import itertools
import json
import sys
from collections import Counter


def canon_addr(a):
    try:
        return ipaddress.ip_address(a).compressed
    except (ValueError, TypeError):
        return str(a)


def key_of(obj):
    c, s = obj["client"], obj["server"]
    return (canon_addr(c["addr"]), int(c["port"]), canon_addr(s["addr"]), int(s["port"]),
            int(obj["first_frame"]))


def outcome(v):
    """synfin nests outcomes ({"outcome": ...}); the truth file has plain strings."""
    if isinstance(v, dict):
        return v.get("outcome")
    return v


def initiator(conn):
    td = conn.get("teardown")
    if isinstance(td, dict):
        return td.get("initiator")
    return conn.get("initiator")


def codes(v):
    out = set()
    for x in v or ():
        out.add(x.get("code") if isinstance(x, dict) else x)
    return frozenset(out)


def fmt_key(k):
    def ep(a, p):
        return f"[{a}]:{p}" if ":" in a else f"{a}:{p}"
    return f"{ep(k[0], k[1])} -> {ep(k[2], k[3])} first_frame {k[4]}"


def read_synfin(stream):
    """Returns ({key: (handshake, teardown, codes, initiator)}, summary, duplicate keys)."""
    conns = {}
    summary = None
    dups = 0

    def add(c):
        nonlocal dups
        k = key_of(c)
        if k in conns:
            dups += 1
        conns[k] = (outcome(c.get("handshake")), outcome(c.get("teardown")),
                    codes(c.get("violations")), initiator(c))

    first = stream.readline()
    while first and not first.strip():
        first = stream.readline()
    if not first:
        return conns, None, 0
    try:
        obj = json.loads(first)
        whole = isinstance(obj, dict) and "connections" in obj
    except json.JSONDecodeError:
        obj = json.loads(first + stream.read())  # a pretty-printed -F json document
        whole = True
    if whole:  # -F json
        for c in obj.get("connections", []):
            add(c)
        return conns, obj.get("summary"), dups
    for line in itertools.chain([first], stream):  # -F jsonl
        if not line.strip():
            continue
        o = json.loads(line)
        if "client" not in o:
            if "summary" in o:
                summary = o["summary"]
            continue
        add(o)
    return conns, summary, dups


def main():
    ap = argparse.ArgumentParser(description="compare synfin's report with bench-gen's truth")
    ap.add_argument("report", help="synfin -F jsonl or -F json output, '-' for stdin")
    ap.add_argument("truth", help="bench-gen --truth file (JSON Lines)")
    ap.add_argument("--show", type=int, default=10, help="mismatches to print (default 10)")
    a = ap.parse_args()

    try:
        if a.report == "-":
            syn, summary, dups = read_synfin(sys.stdin)
        else:
            with open(a.report, encoding="utf-8") as f:
                syn, summary, dups = read_synfin(f)
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"compare: cannot read synfin report {a.report}: {e}", file=sys.stderr)
        return 2

    total = hs_ok = td_ok = v_ok = init_ok = init_n = all_ok = missing = 0
    shown = 0
    by_scenario = Counter()
    code_truth, code_syn, code_both = Counter(), Counter(), Counter()
    mism_lines = []
    try:
        tf = open(a.truth, encoding="utf-8")
    except OSError as e:
        print(f"compare: cannot read truth {a.truth}: {e}", file=sys.stderr)
        return 2
    with tf:
        for line in tf:
            if not line.strip():
                continue
            t = json.loads(line)
            total += 1
            k = key_of(t)
            tv = codes(t.get("violations"))
            for c in tv:
                code_truth[c] += 1
            got = syn.pop(k, None)
            scen = t.get("scenario", "?")
            if got is None:
                missing += 1
                by_scenario[scen] += 1
                if shown < a.show:
                    shown += 1
                    mism_lines.append(f"  {fmt_key(k)} [{scen}]: not in synfin's report")
                continue
            ghs, gtd, gv, ginit = got
            for c in gv:
                code_syn[c] += 1
                if c in tv:
                    code_both[c] += 1
            ok_hs = ghs == t["handshake"]
            ok_td = gtd == t["teardown"]
            ok_v = gv == tv
            hs_ok += ok_hs
            td_ok += ok_td
            v_ok += ok_v
            if "initiator" in t:
                init_n += 1
                init_ok += ginit == t["initiator"]
            if ok_hs and ok_td and ok_v:
                all_ok += 1
                continue
            by_scenario[scen] += 1
            if shown < a.show:
                shown += 1
                parts = []
                if not ok_hs:
                    parts.append(f"handshake truth={t['handshake']} synfin={ghs}")
                if not ok_td:
                    parts.append(f"teardown truth={t['teardown']} synfin={gtd}")
                if not ok_v:
                    parts.append(f"violations truth={sorted(tv)} synfin={sorted(gv)}")
                mism_lines.append(f"  {fmt_key(k)} [{scen}]: " + "; ".join(parts))
    extra = len(syn)
    for k, (ghs, gtd, gv, _) in syn.items():
        for c in gv:
            code_syn[c] += 1

    def pct(x, y):
        return f"{x}/{y} ({100.0 * x / y:.2f}%)" if y else f"{x}/{y} (n/a)"

    print(f"compare: truth connections {total}, synfin connections {total - missing + extra}"
          + (f" (summary.connections {summary.get('connections')})" if isinstance(summary, dict) else ""))
    print(f"  matched by key           {total - missing}")
    print(f"  missing from synfin      {missing}")
    print(f"  extra in synfin          {extra}" + (f"  (duplicate keys {dups})" if dups else ""))
    print(f"  handshake agreement      {pct(hs_ok, total)}")
    print(f"  teardown agreement       {pct(td_ok, total)}")
    print(f"  violations agreement     {pct(v_ok, total)}")
    if init_n:
        print(f"  initiator agreement      {pct(init_ok, init_n)}  (informational)")
    allcodes = sorted(set(code_truth) | set(code_syn))
    if allcodes:
        print("  violation codes (connections): truth / synfin / both")
        for c in allcodes:
            print(f"    {c:<22} {code_truth[c]:>8} {code_syn[c]:>8} {code_both[c]:>8}")
    if mism_lines:
        print(f"first {len(mism_lines)} mismatches:")
        print("\n".join(mism_lines))
        print("mismatches by scenario: " + ", ".join(f"{s}={n}" for s, n in by_scenario.most_common(12)))
    if extra:
        print("first extra connections in synfin's report:")
        for k in list(syn)[:min(a.show, 5)]:
            ghs, gtd, gv, _ = syn[k]
            print(f"  {fmt_key(k)}: handshake={ghs} teardown={gtd} violations={sorted(gv)}")
    print(f"agreement: {pct(all_ok, total)}")
    return 0 if all_ok == total and not extra else 1


if __name__ == "__main__":
    sys.exit(main())
