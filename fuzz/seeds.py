#!/usr/bin/env python3
"""Build seed corpora for the synfin fuzzers (python3, stdlib only).

    fuzz/seeds.py OUTDIR [--corpus DIR ...]

Writes OUTDIR/decode/ and OUTDIR/pipeline/ from every capture under
testdata/ (input.pcap*, malformed/, errors/) and under each --corpus
directory (default ../shared/corpus/tcpdump relative to the repository, if
present); with --only DIR, from DIR alone.

pipeline seeds: capture files as they are (a file over 256 KiB is cut after
its last whole record below that size, to keep executions fast).

decode seeds: every distinct frame of a supported link type, prefixed with
the two bytes fuzz_decode.c reads: the index of its link type in
link_types[] and a wirelen mode (0: wirelen = caplen; 1: cut by the snaplen,
when the record's len exceeded its caplen).
"""
import argparse
import hashlib
import os
import struct
import sys

# Must match link_types[] in fuzz/fuzz_decode.c (Linux DLT values).
LINK_INDEX = {1: 0, 113: 1, 276: 2, 12: 3, 14: 3, 101: 4, 228: 5, 229: 6, 0: 7, 108: 8}
MAX_PIPELINE = 256 * 1024
MAX_FRAME = 4096
MAX_DECODE_SEEDS = 20000
MAX_FRAMES_PER_FILE = 200  # a 10^5-frame storm should not crowd out the rest


def pcap_records(buf):
    """(linktype, data, wirelen, end offset) for each whole record of a classic pcap."""
    if len(buf) < 24:
        return
    magic = buf[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    lt = struct.unpack(e + "I", buf[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(buf):
        _, _, incl, orig = struct.unpack(e + "IIII", buf[off:off + 16])
        if incl > len(buf) - off - 16:
            return
        yield lt, buf[off + 16:off + 16 + incl], orig, off + 16 + incl
        off += 16 + incl


def pcapng_records(buf):
    """(linktype, data, wirelen, end offset) for each EPB/SPB/PB of a pcapng."""
    off, e, ifaces = 0, "<", []
    while off + 12 <= len(buf):
        btype = struct.unpack(e + "I", buf[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = buf[off + 8:off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        blen = struct.unpack(e + "I", buf[off + 4:off + 8])[0]
        if blen < 12 or blen % 4 or off + blen > len(buf):
            return
        body = buf[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 8:
            ifaces.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            ifid, _, _, cap, orig = struct.unpack(e + "IIIII", body[:20])
            if ifid < len(ifaces) and cap <= len(body) - 20:
                yield ifaces[ifid], body[20:20 + cap], orig, off + blen
        elif btype == 3 and len(body) >= 4 and ifaces:
            orig = struct.unpack(e + "I", body[:4])[0]
            yield ifaces[0], body[4:4 + min(orig, len(body) - 4)], orig, off + blen
        off += blen


def records(buf):
    if buf[:4] == b"\x0a\x0d\x0d\x0a":
        return pcapng_records(buf)
    return pcap_records(buf)


def captures(roots):
    for root in roots:
        for dirpath, _, files in os.walk(root):
            for f in sorted(files):
                if f.endswith((".pcap", ".pcapng", ".cap")) or f.startswith("input.pcap") \
                        or os.path.basename(dirpath) in ("malformed", "errors"):
                    yield os.path.join(dirpath, f)


def write(dirname, data):
    name = hashlib.sha1(data).hexdigest()
    path = os.path.join(dirname, name)
    if not os.path.exists(path):
        with open(path, "wb") as fh:
            fh.write(data)
        return 1
    return 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--corpus", action="append",
                    help="extra capture directory (default: ../shared/corpus/tcpdump)")
    ap.add_argument("--only", action="append", metavar="DIR",
                    help="read only these directories (not testdata/ nor the corpus)")
    a = ap.parse_args()
    corpora = a.corpus
    if corpora is None:
        d = os.path.normpath(os.path.join(repo, "..", "shared", "corpus", "tcpdump"))
        corpora = [d] if os.path.isdir(d) else []
    roots = a.only or [os.path.join(repo, "testdata")] + corpora

    ddir = os.path.join(a.outdir, "decode")
    pdir = os.path.join(a.outdir, "pipeline")
    os.makedirs(ddir, exist_ok=True)
    os.makedirs(pdir, exist_ok=True)
    n_files = n_pipe = n_dec = 0
    for path in captures(roots):
        with open(path, "rb") as fh:
            buf = fh.read()
        n_files += 1
        data = buf
        if len(buf) > MAX_PIPELINE:
            end = 0
            for _, _, _, rec_end in records(buf):
                if rec_end > MAX_PIPELINE:
                    break
                end = rec_end
            data = buf[:end] if end else buf[:MAX_PIPELINE]
        n_pipe += write(pdir, data)
        for i, (lt, frame, orig, _) in enumerate(records(buf)):
            if n_dec >= MAX_DECODE_SEEDS or i >= MAX_FRAMES_PER_FILE:
                break
            idx = LINK_INDEX.get(lt)
            if idx is None:
                continue
            mode = 1 if orig > len(frame) else 0
            n_dec += write(ddir, bytes([idx, mode]) + frame[:MAX_FRAME])
    print(f"seeds: {n_files} captures -> {n_pipe} pipeline seeds in {pdir}, "
          f"{n_dec} decode seeds in {ddir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
