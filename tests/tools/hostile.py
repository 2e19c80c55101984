#!/usr/bin/env python3
"""Write hostile captures for synfin's robustness tests (python3, stdlib only).

    python3 tests/tools/hostile.py OUTDIR            # every case
    python3 tests/tools/hostile.py OUTDIR NAME ...   # some cases
    python3 tests/tools/hostile.py --small OUTDIR    # all but the 56 MB same_bucket_1e6
    python3 tests/tools/hostile.py --list            # names and expectations

Each case is one function below that returns the file's bytes; its docstring
says what the file holds. CASES maps each name to what synfin must do with it:
"ok" (exit 0: analysed, the odd segments counted or flagged), "error" (exit 2
with one clear line on stderr) or "either" (0 or 2, as libpcap decides).
tests/e2e/run_hostile.py runs synfin over them with time and memory limits
and checks the counts in EXPECT. The output is deterministic.

Addresses are from the benchmark range 198.18.0.0/15 and fd00:5f::/64.
Checksums are left 0 except where noted: synfin does not verify them.
"""

import argparse
import os
import struct
import sys

T0 = 1700000000

# pcap LINKTYPE_* values as written in file headers
LT_NULL, LT_EN10MB, LT_RAW, LT_LOOP, LT_SLL, LT_IPV4, LT_IPV6, LT_SLL2 = 0, 1, 101, 108, 113, 228, 229, 276
SUPPORTED = {"null": LT_NULL, "en10mb": LT_EN10MB, "raw": LT_RAW, "loop": LT_LOOP,
             "sll": LT_SLL, "ipv4": LT_IPV4, "ipv6": LT_IPV6, "sll2": LT_SLL2}

F_FIN, F_SYN, F_RST, F_PSH, F_ACK, F_URG, F_ECE, F_CWR = 1, 2, 4, 8, 16, 32, 64, 128

CLI4, SRV4 = bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2])
CLI6 = bytes.fromhex("fd00005f000000000000000000000001")
SRV6 = bytes.fromhex("fd00005f000000000000000000000002")

# ------------------------------------------------------------------ building blocks


def pcap_header(linktype=LT_RAW, snaplen=65535, magic=0xA1B2C3D4, endian="<"):
    return struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)


def record(data, ts=0.0, caplen=None, wirelen=None, endian="<"):
    sec = T0 + int(ts)
    usec = int(round((ts - int(ts)) * 1e6))
    cap = len(data) if caplen is None else caplen
    wire = len(data) if wirelen is None else wirelen
    return struct.pack(endian + "IIII", sec, usec, cap, wire) + data


def pcap(frames, linktype=LT_RAW, snaplen=65535):
    """frames: iterable of bytes or (bytes, ts)."""
    out = [pcap_header(linktype, snaplen)]
    for i, f in enumerate(frames):
        if isinstance(f, tuple):
            out.append(record(f[0], f[1]))
        else:
            out.append(record(f, i * 0.001))
    return b"".join(out)


def tcp(sport=40000, dport=80, seq=1000, ack=0, flags=F_SYN, doff=None, opts=b"",
        payload=b"", win=65535):
    if doff is None:
        if len(opts) % 4:
            opts += b"\x01" * (4 - len(opts) % 4)
        doff = 5 + len(opts) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                       (doff & 0xF) << 4, flags & 0xFF, win, 0, 0) + opts + payload


def ipv4(l4, src=CLI4, dst=SRV4, proto=6, ihl=5, total=None, frag=0x4000, opts=b""):
    hdr_len = ihl * 4
    if total is None:
        total = max(hdr_len, 20 + len(opts)) + len(l4)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | (ihl & 0xF), 0, total & 0xFFFF, 0, frag, 64,
                      proto, 0, src, dst) + opts
    return hdr + l4


def ipv6(l4, src=CLI6, dst=SRV6, nxt=6, plen=None):
    if plen is None:
        plen = len(l4)
    return struct.pack("!IHBB16s16s", 0x60000000, plen & 0xFFFF, nxt, 64, src, dst) + l4


def ether(payload, ethertype=0x0800):
    return bytes.fromhex("02005f000002" "02005f000001") + struct.pack("!H", ethertype) + payload


def link(lt, ip_bytes, version=4):
    """Wrap an IP datagram in the link header of linktype lt."""
    et = 0x0800 if version == 4 else 0x86DD
    if lt == LT_EN10MB:
        return ether(ip_bytes, et)
    if lt == LT_SLL:
        return struct.pack("!HHH8sH", 0, 1, 6, b"\x02\x00\x5f\0\0\x01\0\0", et) + ip_bytes
    if lt == LT_SLL2:
        return struct.pack("!HHIHBB8s", et, 0, 1, 1, 0, 6, b"\x02\x00\x5f\0\0\x01\0\0") + ip_bytes
    if lt == LT_NULL:
        return struct.pack("<I", 2 if version == 4 else 24) + ip_bytes
    if lt == LT_LOOP:
        return struct.pack("!I", 2 if version == 4 else 24) + ip_bytes
    return ip_bytes  # RAW, IPV4, IPV6


def good_syn(sport=40000):
    return ipv4(tcp(sport=sport))


# ------------------------------------------------------------------ cases

CASES = {}   # name -> expectation ("ok", "error", "either")
# name -> {"connections": N, "packets": N, "tcp_packets": N, "skipped": {reason: N}};
# a count may be a (low, high) range, both inclusive
EXPECT = {}
GEN = {}     # name -> function


def case(expect, **counts):
    def deco(fn):
        name = fn.__name__
        CASES[name] = expect
        GEN[name] = fn
        if counts:
            EXPECT[name] = counts
        return fn
    return deco


@case("ok", connections=1, packets=1)
def snaplen_absurd():
    """Capture header with snaplen 0xFFFFFFFF (and one ordinary SYN)."""
    return pcap([good_syn()], snaplen=0xFFFFFFFF)


@case("ok", connections=1, packets=1)
def snaplen_zero():
    """Capture header with snaplen 0 (and one ordinary SYN)."""
    return pcap([good_syn()], snaplen=0)


@case("either")
def snaplen_negative():
    """Capture header whose snaplen read as signed is negative (0x80000000)."""
    return pcap([good_syn()], snaplen=0x80000000)


@case("error")
def linktype_unknown():
    """Capture header with link type 0x0FFFFFF0 (no such LINKTYPE)."""
    return pcap([good_syn()], linktype=0x0FFFFFF0)


@case("error")
def linktype_unsupported():
    """Capture header with link type 105 (802.11), which synfin does not decode."""
    return pcap([b"\x80" * 40], linktype=105)


@case("error")
def header_only_half():
    """A file of 12 bytes: half a capture file header."""
    return pcap_header()[:12]


@case("ok", connections=0, packets=0)
def header_only():
    """A valid capture file header and no records."""
    return pcap_header()


@case("either")
def caplen_exceeds_len():
    """Records whose caplen exceeds their len (60 captured of a 40-byte frame), then a good SYN."""
    f = ipv4(tcp()) + b"\xEE" * 20
    return pcap_header() + record(f, 0, wirelen=40) + record(ipv4(tcp(sport=40001)), 0.001)


@case("either")
def caplen_exceeds_snaplen():
    """snaplen 64, then a 100-byte record (caplen > snaplen) and a good SYN."""
    big = ipv4(tcp(payload=b"x" * 60))
    return pcap_header(snaplen=64) + record(big, 0) + record(ipv4(tcp(sport=40001)), 0.001)


@case("either")
def caplen_huge():
    """A record claiming 0xFFFFFF00 captured bytes, after one good SYN."""
    return pcap_header() + record(good_syn(), 0) + struct.pack("<IIII", T0, 0, 0xFFFFFF00, 0xFFFFFF00) + b"\0" * 64


@case("ok", packets=16, tcp_packets=0, connections=0)
def zero_length_frames():
    """16 zero-length records (RAW), alternately with len 0 and len 60 (tiny_frames_<type>
    covers 0- and 1-byte frames of every other supported link type)."""
    out = pcap_header()
    for i in range(8):
        out += record(b"", i * 0.001, wirelen=0)
        out += record(b"", i * 0.001 + 0.0005, wirelen=60)
    return out


@case("ok", packets=4, tcp_packets=0, connections=0)
def one_byte_frames():
    """1-byte records: 0x45, 0x60, 0x00, 0xFF (RAW)."""
    return pcap([b"\x45", b"\x60", b"\x00", b"\xff"])


def _tiny_frames(lt):
    def fn():
        frames = [b""]
        for n in (1, 2, 3, 13, 14, 15, 19, 20, 21):
            frames.append(link(lt, good_syn())[:n])
        return pcap(frames, linktype=lt)
    fn.__doc__ = "0-byte, 1-byte and cut-short frames of link type %d." % lt
    return fn


for _name, _lt in SUPPORTED.items():
    _fn = _tiny_frames(_lt)
    _fn.__name__ = "tiny_frames_" + _name
    case("ok", packets=10, tcp_packets=0, connections=0)(_fn)


@case("ok", packets=6, tcp_packets=0, connections=0, skipped={"ip_malformed": 5, "ip_truncated": 1})
def ipv4_ihl_below_20():
    """IPv4 headers with IHL 0..4 (0 to 16 bytes), and IHL 5 cut to 19 bytes."""
    frames = [ipv4(tcp(), ihl=i) for i in range(5)]
    frames.append(ipv4(tcp())[:19])
    return pcap(frames)


@case("ok", packets=4, tcp_packets=0, connections=0)
def ipv4_ihl_past_frame():
    """IPv4 IHL 15 (60 bytes) in a 40-byte frame; total length below IHL; total length 0xFFFF
    in a short frame; total length shorter than IP + TCP headers."""
    return pcap([
        ipv4(tcp(), ihl=15)[:40],
        ipv4(tcp(), total=16),
        ipv4(tcp(), total=0xFFFF)[:30],
        ipv4(tcp(), total=30),
    ])


@case("ok", packets=3, tcp_packets=0, connections=0, skipped={"ip_fragment": 3})
def ipv4_fragments():
    """Non-first IPv4 fragments, one with offset 0x1FFF."""
    return pcap([ipv4(tcp(), frag=1), ipv4(tcp(), frag=0x1FFF), ipv4(tcp(), frag=0x2000 | 185)])


def _ext(nxt, length_units=0, fill=b"\0"):
    """An IPv6 extension header of (length_units + 1) * 8 bytes naming nxt."""
    n = (length_units + 1) * 8
    return bytes([nxt, length_units]) + fill * (n - 2)


@case("ok", packets=6, tcp_packets=0, connections=0)
def ipv6_ext_loop():
    """IPv6 extension chains that never reach TCP: 1000 hop-by-hop headers each naming the next;
    routing headers naming themselves; a destination-options chain of 40; AH chain of 100;
    fragment headers naming each other; a chain ending in No Next Header (59)."""
    hop = b"".join(_ext(0) for _ in range(999)) + _ext(6) + tcp()
    rt = b"".join(_ext(43, 1) for _ in range(300)) + tcp()
    dst = b"".join(_ext(60) for _ in range(40)) + tcp()
    ah = b"".join(bytes([51, 1]) + b"\0" * 10 for _ in range(100)) + tcp()
    frag = b"".join(struct.pack("!BBHI", 44, 0, 0, 7) for _ in range(100)) + tcp()
    nonext = _ext(59) + tcp()
    return pcap([ipv6(hop, nxt=0), ipv6(rt, nxt=43), ipv6(dst, nxt=60), ipv6(ah, nxt=51),
                 ipv6(frag, nxt=44), ipv6(nonext, nxt=60)])


@case("ok", packets=5, tcp_packets=(0, 1), connections=(0, 1),
      skipped={"ipv6_ext_malformed": 4})
def ipv6_ext_past_frame():
    """IPv6 extension chains longer than the frame: a header claiming 2048 bytes in a 100-byte
    frame; a chain cut mid-header; payload length shorter than the chain; a 1-byte extension
    area (all four ipv6_ext_malformed); and payload length 0xFFFF in a 68-byte frame whose
    hop-by-hop header and TCP header are whole (decoded as cut by the snaplen, or skipped)."""
    big = _ext(6, 255)[:60]
    cut = _ext(0) + _ext(6)[:5]
    short_plen = _ext(0) + _ext(6) + tcp()
    return pcap([
        ipv6(big, nxt=0),
        ipv6(cut, nxt=0),
        ipv6(short_plen, nxt=0, plen=12),
        ipv6(_ext(6) + tcp(), nxt=0, plen=0xFFFF),
        ipv6(b"\x06", nxt=0),
    ])


@case("ok", packets=5, tcp_packets=0, connections=0, skipped={"tcp_malformed": 5})
def tcp_doff_below_5():
    """TCP data offset 0..4 (each in a full 40-byte segment)."""
    return pcap([ipv4(tcp(doff=d, payload=b"\0" * 20)) for d in range(5)])


@case("ok", packets=4, connections=1)
def tcp_doff_past_frame():
    """Data offset 15 (60 bytes) in a 20-byte segment (malformed); data offset 15 with the IP
    length covering it but only 24 bytes captured (options truncated by the snaplen: decoded);
    data offset 6 in a 20-byte IP payload; TCP header cut at 19 bytes."""
    full = ipv4(tcp(doff=15, opts=b"\x02\x04\x05\xb4" + b"\x01" * 36))
    return pcap_header() + b"".join([
        record(ipv4(tcp(doff=15)), 0.000),
        record(full[:44], 0.001, wirelen=len(full)),
        record(ipv4(tcp(doff=6)), 0.002),
        record(ipv4(tcp())[:39], 0.003),
    ])


@case("ok", packets=5, connections=1)
def tcp_options_malformed():
    """TCP options with length 0, length 1, length past the header, an unterminated list and
    256 NOPs' worth of options cut by the data offset."""
    opts = [b"\x02\x00\x00\x00", b"\x03\x01\x00\x00", b"\x08\x28" + b"\0" * 6,
            b"\x02", b"\x01" * 40]
    return pcap([ipv4(tcp(opts=o, flags=F_SYN if i == 0 else F_ACK)) for i, o in enumerate(opts)])


@case("ok", packets=256, tcp_packets=256, connections=(1, 65))
def all_flags_one_tuple():
    """All 256 TCP flag combinations (SYN+FIN+RST+URG+... included) on one tuple, in order.
    A SYN after a close or reset starts a new connection (port reuse), so there are between 1
    and 65 connections (64 of the combinations carry SYN)."""
    return pcap([(ipv4(tcp(flags=f, seq=1000 + f, ack=5000)), f * 0.0001) for f in range(256)])


@case("ok", packets=512, tcp_packets=512)
def all_flags_own_tuple():
    """Each of the 256 flag combinations opens its own tuple, then gets a reply with the same
    flags from the other side."""
    frames = []
    for f in range(256):
        frames.append((ipv4(tcp(sport=20000 + f, flags=f, seq=100, ack=0)), f * 0.001))
        frames.append((ipv4(tcp(sport=80, dport=20000 + f, flags=f, seq=900, ack=101),
                            src=SRV4, dst=CLI4), f * 0.001 + 0.0005))
    return pcap(frames)


def _session():
    """A complete little connection (RAW): 10 records."""
    c, s = CLI4, SRV4
    segs = [
        (c, s, 40000, 80, 1000, 0, F_SYN),
        (s, c, 80, 40000, 5000, 1001, F_SYN | F_ACK),
        (c, s, 40000, 80, 1001, 5001, F_ACK),
        (c, s, 40000, 80, 1001, 5001, F_ACK | F_PSH, b"hello"),
        (s, c, 80, 40000, 5001, 1006, F_ACK),
        (c, s, 40000, 80, 1006, 5001, F_FIN | F_ACK),
        (s, c, 80, 40000, 5001, 1007, F_ACK),
        (s, c, 80, 40000, 5001, 1007, F_FIN | F_ACK),
        (c, s, 40000, 80, 1007, 5002, F_ACK),
        (c, s, 40000, 80, 1007, 5002, F_ACK),
    ]
    out = []
    for i, sg in enumerate(segs):
        payload = sg[7] if len(sg) > 7 else b""
        out.append(record(ipv4(tcp(sg[2], sg[3], sg[4], sg[5], sg[6], payload=payload),
                               src=sg[0], dst=sg[1]), i * 0.01))
    return out


@case("ok", packets=9, connections=1)
def cut_in_record_header():
    """A 10-record file cut 7 bytes into the last record's header."""
    recs = _session()
    return pcap_header() + b"".join(recs[:9]) + recs[9][:7]


@case("ok", packets=9, connections=1)
def cut_in_record_body():
    """A 10-record file cut 20 bytes into the last record's body."""
    recs = _session()
    return pcap_header() + b"".join(recs[:9]) + recs[9][:16 + 20]


@case("ok", packets=0, connections=0)
def cut_after_header_byte():
    """A capture file header followed by one stray byte."""
    return pcap_header() + b"\x01"


def _pcapng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def _pcapng(frames, linktype=LT_RAW, snaplen=0):
    shb = _pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = _pcapng_block(1, struct.pack("<HHI", linktype, 0, snaplen))
    out = [shb, idb]
    for i, f in enumerate(frames):
        data, cap, wire = f if isinstance(f, tuple) else (f, len(f), len(f))
        ts = (T0 + i) * 1000000
        out.append(_pcapng_block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, cap, wire) + data))
    return b"".join(out)


@case("ok", packets=9, connections=1)
def pcapng_cut_in_block():
    """A pcapng file whose 10th packet block is cut in the middle."""
    full = _pcapng([r[16:] for r in _session()])
    return full[:len(full) - 30]


@case("either")
def pcapng_caplen_exceeds_block():
    """A pcapng enhanced packet block whose captured length runs past the block."""
    return _pcapng([(good_syn(), 4000, 4000)])


@case("either")
def pcapng_snaplen_absurd():
    """A pcapng interface with snaplen 0xFFFFFFFF and one SYN."""
    return _pcapng([good_syn()], snaplen=0xFFFFFFFF)


@case("error")
def pcapng_linktype_unknown():
    """A pcapng interface with link type 0xFFFF."""
    return _pcapng([good_syn()], linktype=0xFFFF)


N_SAME_BUCKET = 1000000
BIG = {"same_bucket_1e6"}  # left out by --small (valgrind, fuzz seeds)


@case("ok", packets=N_SAME_BUCKET, tcp_packets=N_SAME_BUCKET, connections=N_SAME_BUCKET)
def same_bucket_1e6():
    """10^6 connections (one SYN each, 1 us apart, RAW) whose tuples all give the same value
    under the naive hash h = saddr ^ daddr ^ sport ^ dport (and so one bucket for any table
    size): connection i has sport = 1024 + i % 64000 and saddr/daddr differing from a base in
    (i // 64000) << 16 and in sport, so every term cancels."""
    base_s, base_d = 0xC6120000, 0xC6130000  # 198.18.0.0, 198.19.0.0
    hdr = bytearray(ipv4(tcp(dport=80)))
    out = bytearray(pcap_header())
    rec = bytearray(16 + len(hdr))
    rec[16:] = hdr
    struct.pack_into("<II", rec, 8, len(hdr), len(hdr))
    naive = None
    for i in range(N_SAME_BUCKET):
        hi = (i // 64000) << 16
        sport = 1024 + i % 64000
        saddr = base_s ^ hi ^ sport
        daddr = base_d ^ hi
        h = saddr ^ daddr ^ sport ^ 80
        if naive is None:
            naive = h
        assert h == naive
        struct.pack_into("<II", rec, 0, T0 + i // 1000000, i % 1000000)
        struct.pack_into("!II", rec, 16 + 12, saddr, daddr)
        struct.pack_into("!H", rec, 16 + 20, sport)
        out += rec
    return bytes(out)


N_STORM = 100000


@case("ok", connections=1, packets=N_STORM + 3)
def rst_fin_storm():
    """A handshake, then 10^5 alternating RST, FIN, RST+ACK, FIN+ACK segments from both sides
    on the same tuple (10 us apart, seq walking), all one connection."""
    frames = [
        (ipv4(tcp(40000, 80, 1000, 0, F_SYN)), 0.0),
        (ipv4(tcp(80, 40000, 5000, 1001, F_SYN | F_ACK), src=SRV4, dst=CLI4), 0.0001),
        (ipv4(tcp(40000, 80, 1001, 5001, F_ACK)), 0.0002),
    ]
    kinds = [F_RST, F_FIN, F_RST | F_ACK, F_FIN | F_ACK]
    for i in range(N_STORM):
        fl = kinds[i % 4]
        ts = 0.001 + i * 0.00001
        if i % 2:
            frames.append((ipv4(tcp(80, 40000, 5001 + i, 1001 + i, fl), src=SRV4, dst=CLI4), ts))
        else:
            frames.append((ipv4(tcp(40000, 80, 1001 + i, 5001 + i, fl)), ts))
    return pcap(frames)


@case("ok", packets=4)
def timestamps_odd():
    """Records with usec 999999999 (out of range), timestamps going backwards and the largest
    32-bit second, on one connection."""
    out = pcap_header()
    out += struct.pack("<IIII", T0, 999999999, 40, 40) + ipv4(tcp(flags=F_SYN))
    out += struct.pack("<IIII", 0xFFFFFFFF, 0, 40, 40) + ipv4(tcp(80, 40000, 5000, 1001, F_SYN | F_ACK), src=SRV4, dst=CLI4)
    out += struct.pack("<IIII", 0, 0, 40, 40) + ipv4(tcp(40000, 80, 1001, 5001, F_ACK))
    out += struct.pack("<IIII", T0, 5, 40, 40) + ipv4(tcp(40000, 80, 1001, 5001, F_RST))
    return out


@case("ok", packets=3, connections=1)
def seq_extremes():
    """SYN seq 0xFFFFFFFF, SYN-ACK acking 0 with seq 0xFFFFFFFF, FIN carrying 0xFFFF payload
    bytes declared by the IP length but only 40 captured."""
    fin = ipv4(tcp(40000, 80, 0, 0, F_FIN | F_ACK), total=0xFFFF)
    return pcap_header() + b"".join([
        record(ipv4(tcp(40000, 80, 0xFFFFFFFF, 0, F_SYN)), 0),
        record(ipv4(tcp(80, 40000, 0xFFFFFFFF, 0, F_SYN | F_ACK), src=SRV4, dst=CLI4), 0.001),
        record(fin, 0.002, wirelen=0xFFFF),
    ])


# ------------------------------------------------------------------ main


def write(outdir, names=None):
    os.makedirs(outdir, exist_ok=True)
    written = []
    for name in names or GEN:
        data = GEN[name]()
        path = os.path.join(outdir, name + (".pcapng" if name.startswith("pcapng") else ".pcap"))
        with open(path, "wb") as fh:
            fh.write(data)
        written.append(path)
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", nargs="?")
    ap.add_argument("names", nargs="*")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--small", action="store_true", help="leave out " + ", ".join(sorted(BIG)))
    a = ap.parse_args()
    if a.list:
        for name, fn in GEN.items():
            doc = " ".join((fn.__doc__ or "").split())
            print(f"{name:28} {CASES[name]:6} {doc}")
        return 0
    if not a.outdir:
        ap.error("OUTDIR is required")
    unknown = [n for n in a.names if n not in GEN]
    if unknown:
        ap.error("unknown case: " + ", ".join(unknown))
    names = a.names or [n for n in GEN if not (a.small and n in BIG)]
    for p in write(a.outdir, names):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
