#!/usr/bin/env python3
"""Compare synfin's `completeness` with tshark's final `tcp.completeness`.

For every capture given (files or directories, searched for *.pcap, *.pcapng,
*.cap and extension-less corpus files), every TCP connection that tshark
numbers as a tcp.stream is matched to the synfin connection whose first frame
is the stream's first frame. Differences are printed; a difference listed in
the known-differences file (path<TAB>first_frame<TAB>reason) is expected and
explained (man page, DELIBERATE DIFFERENCES). Exit status: 0 when every
difference is known, 1 otherwise, 77 (meson's skip) when tshark is missing.

usage: tshark_agree.py --synfin PATH [--known FILE] [--jobs N] PATH...
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys

CAPTURE_EXT = (".pcap", ".pcapng", ".cap", ".ntar")


def captures(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _, files in os.walk(p):
                for f in sorted(files):
                    full = os.path.join(root, f)
                    if f.endswith(CAPTURE_EXT) or "corpus" in root:
                        yield full
        else:
            yield p


def tshark_streams(path):
    """{first_frame: (final completeness, stream)} from tshark -2.

    In two-pass mode tshark shows the stream's final value on every packet
    but the first (which keeps its first-pass value), so the last packet's
    value is the final one."""
    try:
        out = subprocess.run(
            ["tshark", "-2", "-n", "-r", path, "-Y", "tcp", "-T", "fields",
             "-e", "frame.number", "-e", "tcp.stream", "-e", "tcp.completeness"],
            capture_output=True, text=True, timeout=60).stdout
    except subprocess.TimeoutExpired:
        return None
    first = {}
    last = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[0] or not parts[1] or not parts[2]:
            continue
        try:
            frame, stream = int(parts[0]), int(parts[1].split(",")[0])
            compl = int(parts[2].split(",")[0], 0)
        except ValueError:
            continue
        if stream not in first:
            first[stream] = frame
        last[stream] = compl
    return {f: (last[s], s) for s, f in first.items()}


def synfin_conns(synfin, path):
    """{first_frame: completeness}, or None when synfin did not analyse the file."""
    try:
        p = subprocess.run([synfin, "-r", path, "-F", "json"], capture_output=True,
                           text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None
    if p.returncode != 0:
        return None
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        return None
    return {c["first_frame"]: c["completeness"] for c in doc["connections"]}


def compare(synfin, path):
    ts = tshark_streams(path)
    sf = synfin_conns(synfin, path)
    if ts is None or sf is None:
        return path, 0, [], sf is None and bool(ts)
    diffs = []
    for frame, (compl, stream) in sorted(ts.items()):
        mine = sf.get(frame)
        if mine != compl:
            diffs.append((frame, stream, compl, mine))
    return path, len(ts), diffs, False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--synfin", required=True)
    ap.add_argument("--known", default=os.path.join(os.path.dirname(__file__), "known_differences.tsv"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--root", default=None, help="paths in the known file are relative to this")
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    if not shutil.which("tshark"):
        print("SKIP: tshark is not installed")
        return 77
    root = a.root or os.getcwd()
    known = {}
    if os.path.exists(a.known):
        with open(a.known, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                p, frame, reason = line.rstrip("\n").split("\t", 2)
                known[(p, int(frame))] = reason

    files = [p for p in captures(a.paths) if os.path.isfile(p)]
    total = agree = 0
    unknown = []
    explained = []
    unreadable = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        for path, n, diffs, bad in ex.map(lambda p: compare(a.synfin, p), files):
            unreadable += bad
            total += n
            agree += n - len(diffs)
            rel = os.path.relpath(path, root)
            for frame, stream, theirs, mine in diffs:
                row = f"{rel}\tstream {stream} (first frame {frame}): tshark {theirs}, synfin {mine}"
                if (rel, frame) in known:
                    explained.append(row + f"\t[{known[(rel, frame)]}]")
                else:
                    unknown.append(row)
    for row in explained:
        print("known  " + row)
    for row in unknown:
        print("DIFF   " + row)
    pct = 100.0 * agree / total if total else 100.0
    print(f"files: {len(files)}, tshark streams: {total}, synfin files not analysed: {unreadable}")
    print(f"agreement: {agree}/{total} ({pct:.2f}%), known differences: {len(explained)}, unexplained: {len(unknown)}")
    print(f"{total - len(unknown)} passed, {len(unknown)} failed")
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main())
