#!/usr/bin/env python3
"""Regenerate every crafted end-to-end capture under testdata/.

Python 3 standard library only; the output is deterministic (fixed
timestamps, fixed addresses, no randomness), so running it twice gives the
same bytes. Each case is one function below; its docstring becomes the
first line of the case's README.md. Recorded captures (tests/tools/record.sh)
are never touched.

    python3 tests/tools/craft.py               # write every case
    python3 tests/tools/craft.py four_way ipv6 # write some cases
    python3 tests/tools/craft.py --list        # list the cases
    python3 tests/tools/craft.py --check       # exit 1 if a file is stale

Addresses come from the benchmark range (198.18.0.0/15) and fd00:5f::/64;
every TCP and IPv4 header checksum is correct. Sequence numbers are written
out in full in each case, so expected.json can be worked out by hand.
"""

import argparse
import ipaddress
import os
import struct
import sys

# ---------------------------------------------------------------- constants

T0 = 1700000000  # 2023-11-14T22:13:20Z, the start of every crafted capture

CLI4, SRV4 = "198.18.0.1", "198.18.0.2"
CLI6, SRV6 = "fd00:5f::1", "fd00:5f::2"
CLI_MAC = bytes.fromhex("02005f000001")
SRV_MAC = bytes.fromhex("02005f000002")

# pcap LINKTYPE_* values as written in file headers
LT_NULL, LT_EN10MB, LT_RAW, LT_SLL, LT_SLL2, LT_USER0 = 0, 1, 101, 113, 276, 147

FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20}

OPT_MSS = b"\x02\x04\x05\xb4"  # MSS 1460


def flags_value(text):
    v = 0
    for ch in text:
        v |= FLAGS[ch]
    return v


# ---------------------------------------------------------------- checksums and headers

def inet_checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def tcp_header(src, dst, sport, dport, seq, ack, flags, win, opts, payload):
    """TCP header + payload with a correct checksum (src/dst are ip_address)."""
    if len(opts) % 4:
        opts += b"\x01" * (4 - len(opts) % 4)  # NOP padding (always before EOL-free end)
    off = (20 + len(opts)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      off << 4, flags, win, 0, 0) + opts
    seg = hdr + payload
    if src.version == 4:
        pseudo = src.packed + dst.packed + struct.pack("!BBH", 0, 6, len(seg))
    else:
        pseudo = src.packed + dst.packed + struct.pack("!IHBB", len(seg), 0, 0, 6)
    ck = inet_checksum(pseudo + seg)
    return seg[:16] + struct.pack("!H", ck) + seg[18:]


def ip_packet(src, dst, l4, ident=0, proto=6):
    if src.version == 4:
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ident & 0xFFFF, 0x4000, 64,
                          proto, 0, src.packed, dst.packed)
        ck = inet_checksum(hdr)
        return hdr[:10] + struct.pack("!H", ck) + hdr[12:] + l4
    return struct.pack("!IHBB16s16s", 0x60000000, len(l4), proto, 64, src.packed, dst.packed) + l4


def ethernet(dst_mac, src_mac, ethertype, payload, vlans=()):
    """vlans: sequence of (tpid, vid), outermost first."""
    out = dst_mac + src_mac
    for tpid, vid in vlans:
        out += struct.pack("!HH", tpid, vid & 0x0FFF)
    return out + struct.pack("!H", ethertype) + payload


def sll(pkttype, src_mac, ethertype, payload):
    """Linux cooked v1 (16 bytes): pkttype, ARPHRD_ETHER, addr len 6, addr, protocol."""
    return struct.pack("!HHH8sH", pkttype, 1, 6, src_mac + b"\0\0", ethertype) + payload


def sll2(pkttype, ifindex, src_mac, ethertype, payload):
    """Linux cooked v2 (20 bytes): protocol, reserved, ifindex, ARPHRD_ETHER, pkttype, addr len, addr."""
    return struct.pack("!HHIHBB8s", ethertype, 0, ifindex, 1, pkttype, 6, src_mac + b"\0\0") + payload


# ---------------------------------------------------------------- capture files

class Capture:
    """Frames in file order: (ts_ns, data, wire_len, iface)."""

    def __init__(self, fmt="pcap", nano=False, ifaces=(LT_EN10MB,), snaplen=262144):
        self.fmt = fmt
        self.nano = nano
        self.ifaces = list(ifaces)
        self.snaplen = snaplen
        self.frames = []
        self.t_ns = 0  # offset from T0 of the last frame

    def add(self, data, dt=0.010, at=None, iface=0, snap=None):
        if at is not None:
            self.t_ns = round(at * 1e9)
        elif not self.frames:
            self.t_ns = 0  # the first frame is at T0 unless told otherwise
        else:
            self.t_ns += round(dt * 1e9)
        wire = len(data)
        if snap is not None and snap < wire:
            data = data[:snap]
        self.frames.append((T0 * 10**9 + self.t_ns, data, wire, iface))

    def pcap_bytes(self):
        magic = 0xA1B23C4D if self.nano else 0xA1B2C3D4
        out = [struct.pack("<IHHiIII", magic, 2, 4, 0, 0, self.snaplen, self.ifaces[0])]
        for ts, data, wire, _ in self.frames:
            sec, ns = divmod(ts, 10**9)
            frac = ns if self.nano else ns // 1000
            out.append(struct.pack("<IIII", sec, frac, len(data), wire) + data)
        return b"".join(out)

    def pcapng_bytes(self):
        def block(btype, body):
            body += b"\0" * (-len(body) % 4)
            n = 12 + len(body)
            return struct.pack("<II", btype, n) + body + struct.pack("<I", n)

        def option(code, value):
            return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)

        shb_opts = option(4, b"synfin craft.py") + option(0, b"")  # shb_userappl
        out = [block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + shb_opts)]
        for lt in self.ifaces:
            opts = b""
            if self.nano:
                opts += option(9, b"\x09")  # if_tsresol = 10^-9
            if opts:
                opts += option(0, b"")
            out.append(block(1, struct.pack("<HHI", lt, 0, self.snaplen) + opts))
        for ts, data, wire, iface in self.frames:
            units = ts if self.nano else ts // 1000
            body = struct.pack("<IIIII", iface, units >> 32, units & 0xFFFFFFFF, len(data), wire) + data
            out.append(block(6, body))
        return b"".join(out)

    def to_bytes(self):
        return self.pcapng_bytes() if self.fmt == "pcapng" else self.pcap_bytes()

    def file_name(self):
        return "input.pcapng" if self.fmt == "pcapng" else "input.pcap"


class Conn:
    """One TCP conversation written into a Capture.

    c()/s() write a segment from the client/server. flags is a string of
    F S R P A U letters; seq and ack are raw 32-bit values.
    """

    def __init__(self, cap, cli=(CLI4, 40000), srv=(SRV4, 8080), link="eth",
                 cli_vlans=(), srv_vlans=(), iface=0):
        self.cap = cap
        self.cli = (ipaddress.ip_address(cli[0]), cli[1])
        self.srv = (ipaddress.ip_address(srv[0]), srv[1])
        self.link = link
        self.vlans = (tuple(cli_vlans), tuple(srv_vlans))
        self.iface = iface
        self.ident = [0x1000, 0x2000]

    def _frame(self, from_client, flags, seq, ack, data, win, opts):
        src, dst = (self.cli, self.srv) if from_client else (self.srv, self.cli)
        side = 0 if from_client else 1
        seg = tcp_header(src[0], dst[0], src[1], dst[1], seq, ack, flags_value(flags), win, opts, data)
        self.ident[side] += 1
        ip = ip_packet(src[0], dst[0], seg, ident=self.ident[side])
        etype = 0x0800 if src[0].version == 4 else 0x86DD
        smac, dmac = (CLI_MAC, SRV_MAC) if from_client else (SRV_MAC, CLI_MAC)
        if self.link == "eth":
            return ethernet(dmac, smac, etype, ip, self.vlans[side])
        if self.link == "sll":
            # captured on the client host: its own segments are outgoing (4)
            return sll(4 if from_client else 0, smac, etype, ip)
        if self.link == "sll2":
            return sll2(4 if from_client else 0, 2, smac, etype, ip)
        if self.link == "raw":
            return ip
        if self.link == "null":
            af = 2 if src[0].version == 4 else 24
            return struct.pack("<I", af) + ip
        raise ValueError(self.link)

    def seg(self, from_client, flags, seq, ack, data=b"", win=64240, opts=b"", dt=0.010,
            at=None, snap=None):
        if "S" in flags and not opts:
            opts = OPT_MSS
        self.cap.add(self._frame(from_client, flags, seq, ack, data, win, opts), dt=dt, at=at,
                     iface=self.iface, snap=snap)

    def c(self, flags, seq, ack, data=b"", **kw):
        self.seg(True, flags, seq, ack, data, **kw)

    def s(self, flags, seq, ack, data=b"", **kw):
        self.seg(False, flags, seq, ack, data, **kw)


# ---------------------------------------------------------------- building blocks
#
# The standard opening used by most cases (client ISN 1000, server ISN 5000):
#   1 C>S SYN      seq=1000 ack=0
#   2 S>C SYN-ACK  seq=5000 ack=1001
#   3 C>S ACK      seq=1001 ack=5001
#   4 C>S PSH-ACK  seq=1001 ack=5001 len=5 "hello"
#   5 S>C ACK      seq=5001 ack=1006
#   6 S>C PSH-ACK  seq=5001 ack=1006 len=5 "world"
#   7 C>S ACK      seq=1006 ack=5006
# after which the client's next seq is 1006 and the server's 5006.

def opening(k, **kw):
    k.c("S", 1000, 0, **kw)
    k.s("SA", 5000, 1001, **kw)
    k.c("A", 1001, 5001, **kw)
    k.c("PA", 1001, 5001, b"hello", **kw)
    k.s("A", 5001, 1006, **kw)
    k.s("PA", 5001, 1006, b"world", **kw)
    k.c("A", 1006, 5006, **kw)


def four_way_close(k, **kw):
    """Frames 8-11 after opening(): FIN, ACK, FIN, ACK (client closes first)."""
    k.c("FA", 1006, 5006, **kw)
    k.s("A", 5006, 1007, **kw)
    k.s("FA", 5006, 1007, **kw)
    k.c("A", 1007, 5007, **kw)


def standard(cap, **conn_kw):
    """opening() + four_way_close(): 11 frames, one complete, cleanly closed connection."""
    k = Conn(cap, **conn_kw)
    opening(k)
    four_way_close(k)
    return k


CASES = {}


def case(fn):
    CASES[fn.__name__.rstrip("_")] = fn
    return fn


# ---------------------------------------------------------------- handshake outcomes

@case
def complete():
    """Handshake outcome `complete`: SYN, SYN-ACK, ACK (frames 1-3, 10 ms apart) and nothing else."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.s("SA", 5000, 1001, at=0.010)
    k.c("A", 1001, 5001, at=0.020)
    return cap


@case
def no_reply():
    """Handshake outcome `no_reply`: a single SYN that nothing answers."""
    cap = Capture()
    Conn(cap).c("S", 1000, 0, at=0.0)
    return cap


@case
def refused():
    """Handshake outcome `refused`: SYN answered by RST-ACK seq=0 ack=SYN+1 (as Linux sends for a closed port); the RST's seq 0 is correct in SYN-SENT."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.s("RA", 0, 1001)
    return cap


@case
def no_final_ack():
    """Handshake outcome `no_final_ack`: SYN and SYN-ACK, the client never ACKs."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.s("SA", 5000, 1001)
    return cap


@case
def simultaneous_open():
    """Handshake outcome `simultaneous_open` (RFC 9293 Figure 8): both ends send SYN, then each a SYN-ACK reusing its own ISN, then data and its ACK. No violation."""
    cap = Capture()
    k = Conn(cap, cli=(CLI4, 40000), srv=(SRV4, 40001))
    k.c("S", 1000, 0, at=0.0)
    k.s("S", 5000, 0, dt=0.001)
    k.c("SA", 1000, 5001)
    k.s("SA", 5000, 1001, dt=0.001)
    k.c("PA", 1001, 5001, b"hello")
    k.s("A", 5001, 1006)
    return cap


@case
def missing_syn():
    """Handshake outcome `missing_syn`: the capture starts with the SYN-ACK (server port 80); ACK, data and a four-way close follow."""
    cap = Capture()
    k = Conn(cap, srv=(SRV4, 80))
    k.s("SA", 5000, 1001, at=0.0)
    k.c("A", 1001, 5001)
    k.c("PA", 1001, 5001, b"hello")
    k.s("A", 5001, 1006)
    k.s("PA", 5001, 1006, b"world")
    k.c("A", 1006, 5006)
    four_way_close(k)
    return cap


@case
def not_seen():
    """Handshake outcome `not_seen` (midstream): the capture starts with client data (40000 -> 8080); roles are guessed; a four-way close follows."""
    cap = Capture()
    k = Conn(cap)
    k.c("PA", 1006, 5006, b"hello", at=0.0)
    k.s("A", 5006, 1011)
    k.s("PA", 5006, 1011, b"world")
    k.c("A", 1011, 5011)
    k.c("FA", 1011, 5011)
    k.s("A", 5011, 1012)
    k.s("FA", 5011, 1012)
    k.c("A", 1012, 5012)
    return cap


# ---------------------------------------------------------------- teardown outcomes

@case
def open_():  # the case (and its directory) is "open"
    """Teardown outcome `open`: handshake and data both ways, no FIN or RST (frames 1-7 of the standard opening)."""
    cap = Capture()
    opening(Conn(cap))
    return cap


@case
def four_way():
    """Teardown outcome `four_way`: standard opening, then client FIN (8), server ACK (9), server FIN (10), client ACK (11)."""
    cap = Capture()
    standard(cap)
    return cap


@case
def three_way():
    """Teardown outcome `three_way`: client FIN (8), server FIN+ACK acking it (9), client ACK (10)."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("FA", 1006, 5006)
    k.s("FA", 5006, 1007)
    k.c("A", 1007, 5007)
    return cap


@case
def simultaneous_close():
    """Teardown outcome `simultaneous`: client FIN (8) and server FIN (9, ack 1006: it has not seen the client's FIN) cross; each then ACKs the other (10, 11); both end in TIME_WAIT."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("FA", 1006, 5006)
    k.s("FA", 5006, 1006, dt=0.001)
    k.c("A", 1007, 5007)
    k.s("A", 5007, 1007, dt=0.001)
    return cap


@case
def half_closed():
    """Teardown outcome `half_closed`: client FIN (8) acked (9); the server keeps sending (10, acked by 11) and never closes."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("FA", 1006, 5006)
    k.s("A", 5006, 1007)
    k.s("PA", 5006, 1007, b"more!")
    k.c("A", 1007, 5011)
    return cap


@case
def incomplete():
    """Teardown outcome `incomplete`: the client's FIN (frame 8) is never acknowledged."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("FA", 1006, 5006)
    return cap


@case
def reset():
    """Teardown outcome `reset`: after the standard opening the client aborts with RST-ACK seq=1006 (frame 8), the server's expected seq."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("RA", 1006, 5006)
    return cap


@case
def reset_after_fin():
    """Teardown outcome `reset` with an earlier FIN: client FIN (8) acked (9), server sends data (10), the closed client answers RST-ACK seq=1007 (11)."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("FA", 1006, 5006)
    k.s("A", 5006, 1007)
    k.s("PA", 5006, 1007, b"late!")
    k.c("RA", 1007, 5011)
    return cap


@case
def reset_after_fins():
    """Teardown outcome `reset` after both FINs: client FIN (8), server FIN+ACK acking it (9), and instead of the last ACK the client sends RST-ACK seq=1007 ack=5007 (10)."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("FA", 1006, 5006)
    k.s("FA", 5006, 1007)
    k.c("RA", 1007, 5007)
    return cap


# ---------------------------------------------------------------- violations (positive cases)

@case
def synack_bad_ack():
    """Violation SYNACK_BAD_ACK: SYN seq=1000 answered by a SYN-ACK with ack=1002 (frame 2; expected 1001)."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.s("SA", 5000, 1002)
    return cap


@case
def hs_ack_bad_ack():
    """Violation HS_ACK_BAD_ACK: the handshake's final ACK (frame 3) acks 5002; the SYN-ACK had seq 5000, so 5001 was expected."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.s("SA", 5000, 1001)
    k.c("A", 1001, 5002)
    return cap


@case
def hs_ack_bad_seq():
    """Violation HS_ACK_BAD_SEQ: the handshake's final ACK (frame 3) has seq 1002; the SYN had seq 1000, so 1001 was expected."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.s("SA", 5000, 1001)
    k.c("A", 1002, 5001)
    return cap


@case
def syn_resend_diff_seq():
    """Violation SYN_RESEND_DIFF_SEQ: the client's second SYN (frame 2) has seq 2000 instead of 1000; the SYN-ACK (3) and ACK (4) then follow the latest SYN correctly."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.c("S", 2000, 0, dt=1.0)
    k.s("SA", 5000, 2001)
    k.c("A", 2001, 5001)
    return cap


@case
def synack_resend_diff():
    """Violation SYNACK_RESEND_DIFF: the server's second SYN-ACK (frame 3) has seq 6000 instead of 5000 (same ack 1001); the final ACK (4) acks the latest SYN-ACK."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.s("SA", 5000, 1001)
    k.s("SA", 6000, 1001, dt=1.0)
    k.c("A", 1001, 6001)
    return cap


@case
def fin_bad_ack():
    """Violation FIN_BAD_ACK: the client's FIN has seq 1006 (frame 8); the server acks 1008 (frame 9), past FIN+1 = 1007."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("FA", 1006, 5006)
    k.s("A", 5006, 1008)
    return cap


@case
def fin_resend_diff_seq():
    """Violation FIN_RESEND_DIFF_SEQ: the client's FIN (frame 8, seq 1006, no data) is repeated with seq 1007 (frame 9)."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("FA", 1006, 5006)
    k.c("FA", 1007, 5006, dt=0.2)
    return cap


@case
def data_after_fin():
    """Violation DATA_AFTER_FIN: client FIN seq 1006 (8) acked (9), then the client sends 5 new bytes at seq 1007 (frame 10, ending at 1012)."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("FA", 1006, 5006)
    k.s("A", 5006, 1007)
    k.c("PA", 1007, 5006, b"extra")
    return cap


@case
def close_ack_bad_seq():
    """Violation CLOSE_ACK_BAD_SEQ: three-way close where the client's last ACK (frame 10) has seq 1008 instead of FIN 1006 + 1 = 1007."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("FA", 1006, 5006)
    k.s("FA", 5006, 1007)
    k.c("A", 1008, 5007)
    return cap


@case
def ack_unseen_data():
    """Violation ACK_UNSEEN_DATA: after the standard opening the server acks 1106 (frame 8) although the client only ever sent up to 1006; no gap in the capture explains it."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.s("A", 5006, 1106)
    return cap


@case
def rst_bad_ack():
    """Violation RST_BAD_ACK: a RST-ACK answering the SYN (seq 1000) acks 1005 (frame 2) instead of 1001."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.s("RA", 0, 1005)
    return cap


@case
def rst_bad_seq():
    """Violation RST_BAD_SEQ: after the standard opening the client sends RST-ACK seq 1100 (frame 8); the server expects 1006."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("RA", 1100, 5006)
    return cap


@case
def data_after_rst():
    """Violation DATA_AFTER_RST: the client sends RST-ACK seq 1006 (frame 8), then 5 more bytes (frame 9)."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("RA", 1006, 5006)
    k.c("PA", 1006, 5006, b"oops!")
    return cap


@case
def simopen_synack_bad_seq():
    """Violation SIMOPEN_SYNACK_BAD_SEQ: simultaneous open where the second side's SYN-ACK (frame 4) has seq 5500, not its SYN's ISN 5000."""
    cap = Capture()
    k = Conn(cap, cli=(CLI4, 40000), srv=(SRV4, 40001))
    k.c("S", 1000, 0, at=0.0)
    k.s("S", 5000, 0, dt=0.001)
    k.c("SA", 1000, 5001)
    k.s("SA", 5500, 1001, dt=0.001)
    return cap


@case
def syn_fin():
    """Violation SYN_FIN: a single segment with SYN and FIN set (frame 1)."""
    cap = Capture()
    Conn(cap).c("SF", 1000, 0, at=0.0)
    return cap


@case
def syn_wrong_dir():
    """Violation SYN_WRONG_DIR: SYN (1), SYN-ACK (2), then a bare SYN from the server (frame 3) although it has already answered with a SYN-ACK: not a simultaneous open."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.s("SA", 5000, 1001)
    k.s("S", 5000, 0)
    return cap


@case
def synack_wrong_dir():
    """Violation SYNACK_WRONG_DIR: SYN (1), SYN-ACK (2), then the client sends a SYN-ACK (frame 3) instead of an ACK; the server never sent a bare SYN."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.s("SA", 5000, 1001)
    k.c("SA", 1000, 5001)
    return cap


@case
def syn_during_close():
    """Violation SYN_DURING_CLOSE: client FIN (8) acked (9), then, with the server still open, the client sends a SYN seq 9000 on the same 4-tuple (frame 10)."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("FA", 1006, 5006)
    k.s("A", 5006, 1007)
    k.c("S", 9000, 0, dt=0.5)
    return cap


# ---------------------------------------------------------------- negative cases (no violation)

@case
def retransmitted_data():
    """No violation: the client's 5 data bytes (frame 4) are retransmitted identically 200 ms later (frame 5); three-way close."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.s("SA", 5000, 1001)
    k.c("A", 1001, 5001)
    k.c("PA", 1001, 5001, b"hello")
    k.c("PA", 1001, 5001, b"hello", dt=0.2)
    k.s("A", 5001, 1006)
    k.c("FA", 1006, 5001)
    k.s("FA", 5001, 1007)
    k.c("A", 1007, 5002)
    return cap


@case
def duplicate_segments():
    """No violation: every segment after the handshake (data, ACKs, both FINs) appears twice, 10 us apart, as when one capture sees a packet twice; four-way close."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.s("SA", 5000, 1001)
    k.c("A", 1001, 5001)
    for who, fl, seq, ack, data in [
            ("c", "PA", 1001, 5001, b"hello"), ("s", "A", 5001, 1006, b""),
            ("s", "PA", 5001, 1006, b"world"), ("c", "A", 1006, 5006, b""),
            ("c", "FA", 1006, 5006, b""), ("s", "A", 5006, 1007, b""),
            ("s", "FA", 5006, 1007, b""), ("c", "A", 1007, 5007, b"")]:
        send = k.c if who == "c" else k.s
        send(fl, seq, ack, data)
        send(fl, seq, ack, data, dt=0.00001)
    return cap


@case
def keepalive():
    """No violation: keep-alives with seq = SND.NXT-1 and no data (frames 8, 10; answered by 9, 11), then the client's FIN (12, acked 13), a keep-alive after the FIN with seq = the FIN's own number 1006 (14, answered 15), server FIN (16), ACK (17)."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("A", 1005, 5006, dt=1.0)
    k.s("A", 5006, 1006)
    k.c("A", 1005, 5006, dt=1.0)
    k.s("A", 5006, 1006)
    k.c("FA", 1006, 5006, dt=0.5)
    k.s("A", 5006, 1007)
    k.c("A", 1006, 5006, dt=1.0)
    k.s("A", 5006, 1007)
    k.s("FA", 5006, 1007, dt=0.5)
    k.c("A", 1007, 5007)
    return cap


@case
def zero_window_probe():
    """No violation: the server advertises window 0 (5, 7); the client sends zero-window probes with seq = SND.UNA-1 = 1005 and no data (6, 8); the window opens (9), data resumes (10, 11); three-way close."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.s("SA", 5000, 1001)
    k.c("A", 1001, 5001)
    k.c("PA", 1001, 5001, b"hello")
    k.s("A", 5001, 1006, win=0)
    k.c("A", 1005, 5001, dt=0.2)
    k.s("A", 5001, 1006, win=0)
    k.c("A", 1005, 5001, dt=0.4)
    k.s("A", 5001, 1006, dt=0.1)
    k.c("PA", 1006, 5001, b"again")
    k.s("A", 5001, 1011)
    k.c("FA", 1011, 5001)
    k.s("FA", 5001, 1012)
    k.c("A", 1012, 5002)
    return cap


@case
def out_of_order():
    """No violation: the client's three 5-byte segments arrive out of order (seq 1011 in frame 4, then 1001, then 1006); one ACK 1016 (7); three-way close."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.s("SA", 5000, 1001)
    k.c("A", 1001, 5001)
    k.c("PA", 1011, 5001, b"ccccc")
    k.c("PA", 1001, 5001, b"aaaaa", dt=0.001)
    k.c("PA", 1006, 5001, b"bbbbb", dt=0.001)
    k.s("A", 5001, 1016)
    k.c("FA", 1016, 5001)
    k.s("FA", 5001, 1017)
    k.c("A", 1017, 5002)
    return cap


@case
def seq_wrap_data():
    """No violation: client ISN 4294967290; its 10-byte segment (frame 4) runs past 2^32, the server acks 5 (frame 5); more data and a four-way close in the wrapped space."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 4294967290, 0, at=0.0)
    k.s("SA", 5000, 4294967291)
    k.c("A", 4294967291, 5001)
    k.c("PA", 4294967291, 5001, b"0123456789")
    k.s("A", 5001, 5)
    k.c("PA", 5, 5001, b"abcde")
    k.s("A", 5001, 10)
    k.c("FA", 10, 5001)
    k.s("A", 5001, 11)
    k.s("FA", 5001, 11)
    k.c("A", 11, 5002)
    return cap


@case
def seq_wrap_close():
    """No violation: both FINs sit on sequence number 4294967295 (frames 8 and 10), so their ACKs (9, 11) ack 0 and the last ACK has seq 0; four-way close."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 4294967284, 0, at=0.0)
    k.s("SA", 4294967290, 4294967285)
    k.c("A", 4294967285, 4294967291)
    k.c("PA", 4294967285, 4294967291, b"0123456789")
    k.s("A", 4294967291, 4294967295)
    k.s("PA", 4294967291, 4294967295, b"wxyz")
    k.c("A", 4294967295, 4294967295)
    k.c("FA", 4294967295, 4294967295)
    k.s("A", 4294967295, 0)
    k.s("FA", 4294967295, 0)
    k.c("A", 0, 0)
    return cap


TFO_COOKIE = b"\x22\x0a" + bytes.fromhex("5f5f5f5f01020304")  # kind 34, 8-byte cookie


@case
def tfo_accepted():
    """No violation: TCP Fast Open; the SYN (seq 1000) carries a cookie and 5 bytes, the SYN-ACK acks 1006 (data accepted), the final ACK has seq 1006; three-way close."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, b"hello", opts=OPT_MSS + TFO_COOKIE, at=0.0)
    k.s("SA", 5000, 1006)
    k.c("A", 1006, 5001)
    k.s("PA", 5001, 1006, b"world")
    k.c("A", 1006, 5006)
    k.c("FA", 1006, 5006)
    k.s("FA", 5006, 1007)
    k.c("A", 1007, 5007)
    return cap


@case
def tfo_not_accepted():
    """No violation: TCP Fast Open fallback; the SYN (seq 1000) carries 5 bytes that the server does not accept (SYN-ACK ack 1001); the final ACK has seq 1001 and the client re-sends the data (4); three-way close."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, b"hello", opts=OPT_MSS + TFO_COOKIE, at=0.0)
    k.s("SA", 5000, 1001)
    k.c("A", 1001, 5001)
    k.c("PA", 1001, 5001, b"hello", dt=0.001)
    k.s("A", 5001, 1006)
    k.c("FA", 1006, 5001)
    k.s("FA", 5001, 1007)
    k.c("A", 1007, 5002)
    return cap


@case
def synack_before_syn():
    """No violation: the SYN-ACK is written before its SYN (frame 1 vs 2; merged captures with clock skew); then the ACK (3), data and a four-way close."""
    cap = Capture()
    k = Conn(cap)
    k.s("SA", 5000, 1001, at=0.0)
    k.c("S", 1000, 0, dt=0.0005)
    k.c("A", 1001, 5001)
    k.c("PA", 1001, 5001, b"hello")
    k.s("A", 5001, 1006)
    k.s("PA", 5001, 1006, b"world")
    k.c("A", 1006, 5006)
    four_way_close(k)
    return cap


@case
def retransmitted_syn():
    """No violation: the SYN (seq 1000) is sent three times (frames 1-3, at 0, 1 and 3 s); SYN-ACK (4), ACK (5); three-way close."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.c("S", 1000, 0, at=1.0)
    k.c("S", 1000, 0, at=3.0)
    k.s("SA", 5000, 1001)
    k.c("A", 1001, 5001)
    k.c("FA", 1001, 5001)
    k.s("FA", 5001, 1002)
    k.c("A", 1002, 5002)
    return cap


@case
def retransmitted_synack():
    """No violation: the SYN-ACK (seq 5000 ack 1001) is sent twice (frames 2, 3, one second apart) before the client's ACK (4); three-way close."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.s("SA", 5000, 1001)
    k.s("SA", 5000, 1001, dt=1.0)
    k.c("A", 1001, 5001)
    k.c("FA", 1001, 5001)
    k.s("FA", 5001, 1002)
    k.c("A", 1002, 5002)
    return cap


@case
def retransmitted_fin():
    """No violation: the client's FIN (seq 1006) is sent twice (frames 8, 9); server ACK (10), server FIN (11), client ACK (12)."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("FA", 1006, 5006)
    k.c("FA", 1006, 5006, dt=0.2)
    k.s("A", 5006, 1007)
    k.s("FA", 5006, 1007)
    k.c("A", 1007, 5007)
    return cap


@case
def retransmitted_fin_with_data():
    """No violation: data seq 1006 len 5 (8) and FIN seq 1011 (9) go unacked; the retransmission (10) re-sends the data with the FIN: seq field 1006, same FIN sequence number 1011; ACK 1012 (11), server FIN (12), ACK (13)."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("PA", 1006, 5006, b"bye!!")
    k.c("FA", 1011, 5006, dt=0.001)
    k.c("FPA", 1006, 5006, b"bye!!", dt=0.2)
    k.s("A", 5006, 1012)
    k.s("FA", 5006, 1012)
    k.c("A", 1012, 5007)
    return cap


@case
def snaplen_cut():
    """No violation: captured with snaplen 54 (Ethernet + IPv4 + 20 TCP bytes): SYN options and all payload are cut; payload lengths (100 bytes each way) come from the IP header; four-way close."""
    cap = Capture(snaplen=54)
    k = Conn(cap)
    kw = {"snap": 54}
    k.c("S", 1000, 0, at=0.0, **kw)
    k.s("SA", 5000, 1001, **kw)
    k.c("A", 1001, 5001, **kw)
    k.c("PA", 1001, 5001, b"c" * 100, **kw)
    k.s("A", 5001, 1101, **kw)
    k.s("PA", 5001, 1101, b"s" * 100, **kw)
    k.c("A", 1101, 5101, **kw)
    k.c("FA", 1101, 5101, **kw)
    k.s("A", 5101, 1102, **kw)
    k.s("FA", 5101, 1102, **kw)
    k.c("A", 1102, 5102, **kw)
    return cap


@case
def capture_gap():
    """No violation: the client's segment seq 1101 len 100 is missing from the capture; the next one (1201, frame 6) shows the gap and the server's ACK 1301 (7) covers the missing bytes; three-way close."""
    cap = Capture()
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.0)
    k.s("SA", 5000, 1001)
    k.c("A", 1001, 5001)
    k.c("PA", 1001, 5001, b"a" * 100)
    k.s("A", 5001, 1101)
    # seq 1101 len 100 was sent but not captured
    k.c("PA", 1201, 5001, b"c" * 100, dt=0.002)
    k.s("A", 5001, 1301)
    k.c("FA", 1301, 5001)
    k.s("FA", 5001, 1302)
    k.c("A", 1302, 5002)
    return cap


# ---------------------------------------------------------------- link types and file formats

@case
def ipv6():
    """IPv6 (fd00:5f::1 -> fd00:5f::2 port 8080) over Ethernet: the standard 11-frame four-way conversation."""
    cap = Capture()
    standard(cap, cli=(CLI6, 40000), srv=(SRV6, 8080))
    return cap


@case
def vlan_8021q():
    """Ethernet with an 802.1Q tag (VLAN 100) on every frame: the standard four-way conversation."""
    cap = Capture()
    standard(cap, cli_vlans=[(0x8100, 100)], srv_vlans=[(0x8100, 100)])
    return cap


@case
def vlan_qinq():
    """QinQ: 802.1ad outer tag (S-VLAN 200) and 802.1Q inner tag (C-VLAN 100) on every frame: the standard four-way conversation."""
    cap = Capture()
    tags = [(0x88A8, 200), (0x8100, 100)]
    standard(cap, cli_vlans=tags, srv_vlans=tags)
    return cap


@case
def vlan_asymmetric():
    """One connection whose directions carry different 802.1Q tags (client->server VLAN 100, server->client VLAN 200): still one connection, four-way close."""
    cap = Capture()
    standard(cap, cli_vlans=[(0x8100, 100)], srv_vlans=[(0x8100, 200)])
    return cap


@case
def linux_sll():
    """Linux cooked capture v1 (LINKTYPE_LINUX_SLL 113), as seen on the client host: the standard four-way conversation."""
    cap = Capture(ifaces=(LT_SLL,))
    standard(cap, link="sll")
    return cap


@case
def linux_sll2():
    """Linux cooked capture v2 (LINKTYPE_LINUX_SLL2 276): the standard four-way conversation."""
    cap = Capture(ifaces=(LT_SLL2,))
    standard(cap, link="sll2")
    return cap


@case
def raw_ip():
    """Raw IP (LINKTYPE_RAW 101, no link header): the standard four-way conversation."""
    cap = Capture(ifaces=(LT_RAW,))
    standard(cap, link="raw")
    return cap


@case
def bsd_null():
    """BSD loopback (LINKTYPE_NULL 0, 4-byte little-endian address family 2): the standard four-way conversation."""
    cap = Capture(ifaces=(LT_NULL,))
    standard(cap, link="null")
    return cap


@case
def pcapng_basic():
    """pcapng (SHB, one Ethernet IDB, EPBs): the standard four-way conversation."""
    cap = Capture(fmt="pcapng")
    standard(cap)
    return cap


@case
def pcapng_multi_if():
    """pcapng with two Ethernet interfaces: interface 0 carries client port 40001, interface 1 client port 40002; their frames interleave, and frame numbers count both. (libpcap 1.10 reads multi-interface pcapng only when the interfaces share one link type; errors/pcapng_mixed_linktypes.pcapng covers the other case.)"""
    cap = Capture(fmt="pcapng", ifaces=(LT_EN10MB, LT_EN10MB))
    a = Conn(cap, cli=(CLI4, 40001), iface=0)
    b = Conn(cap, cli=(CLI4, 40002), iface=1)
    a.c("S", 1000, 0, at=0.0)       # 1
    b.c("S", 2000, 0, dt=0.001)     # 2
    a.s("SA", 5000, 1001)           # 3
    b.s("SA", 6000, 2001, dt=0.001)  # 4
    a.c("A", 1001, 5001)            # 5
    b.c("A", 2001, 6001, dt=0.001)  # 6
    a.c("FA", 1001, 5001)           # 7
    b.c("FA", 2001, 6001, dt=0.001)  # 8
    a.s("FA", 5001, 1002)           # 9
    b.s("FA", 6001, 2002, dt=0.001)  # 10
    a.c("A", 1002, 5002)            # 11
    b.c("A", 2002, 6002, dt=0.001)  # 12
    return cap


@case
def nanosecond_pcap():
    """Nanosecond pcap (magic a1b23c4d): SYN at +0.123456789 s, SYN-ACK +0.123457001, ACK +0.123460003 (RTT 3.214 us); three-way close."""
    cap = Capture(nano=True)
    k = Conn(cap)
    k.c("S", 1000, 0, at=0.123456789)
    k.s("SA", 5000, 1001, at=0.123457001)
    k.c("A", 1001, 5001, at=0.123460003)
    k.c("FA", 1001, 5001, at=0.200000000)
    k.s("FA", 5001, 1002, at=0.200000500)
    k.c("A", 1002, 5002, at=0.200001000)
    return cap


@case
def port_reuse_after_close():
    """Port reuse: the standard four-way conversation (frames 1-11), then 2 s later a new SYN on the same 4-tuple (ISN 90000) and a complete second connection (12-20): two ids, in order."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    four_way_close(k)
    k.c("S", 90000, 0, dt=2.0)
    k.s("SA", 70000, 90001)
    k.c("A", 90001, 70001)
    k.c("PA", 90001, 70001, b"again")
    k.s("A", 70001, 90006)
    k.c("FA", 90006, 70001)
    k.s("A", 70001, 90007)
    k.s("FA", 70001, 90007)
    k.c("A", 90007, 70002)
    return cap


@case
def port_reuse_after_rst():
    """Port reuse after a reset: standard opening (1-7), client RST (8), then 1 s later a new SYN on the same 4-tuple (ISN 90000) and a second connection closed three-way (9-14): two ids, in order."""
    cap = Capture()
    k = Conn(cap)
    opening(k)
    k.c("RA", 1006, 5006)
    k.c("S", 90000, 0, dt=1.0)
    k.s("SA", 70000, 90001)
    k.c("A", 90001, 70001)
    k.c("FA", 90001, 70001)
    k.s("FA", 70001, 90002)
    k.c("A", 90002, 70002)
    return cap


@case
def bpf_filter():
    """BPF filter `port 8080` (args file): two connections interleaved, client 40000 -> 8080 (odd frames) and 40001 -> 9090 (even frames); only the first is reported, with frame numbers counting every frame."""
    cap = Capture()
    a = Conn(cap, cli=(CLI4, 40000), srv=(SRV4, 8080))
    b = Conn(cap, cli=(CLI4, 40001), srv=(SRV4, 9090))
    a.c("S", 1000, 0, at=0.0)        # 1
    b.c("S", 3000, 0, dt=0.001)      # 2
    a.s("SA", 5000, 1001)            # 3
    b.s("SA", 7000, 3001, dt=0.001)  # 4
    a.c("A", 1001, 5001)             # 5
    b.c("A", 3001, 7001, dt=0.001)   # 6
    a.c("FA", 1001, 5001)            # 7
    b.c("FA", 3001, 7001, dt=0.001)  # 8
    a.s("FA", 5001, 1002)            # 9
    b.s("FA", 7001, 3002, dt=0.001)  # 10
    a.c("A", 1002, 5002)             # 11
    b.c("A", 3002, 7002, dt=0.001)   # 12
    return cap


@case
def check_second_conn():
    """--check naming: two connections; id 0 (client port 40000) is clean, id 1 (client port 40001) has FIN_BAD_ACK (frame 11: ack 1003, expected 1002)."""
    cap = Capture()
    a = Conn(cap, cli=(CLI4, 40000))
    a.c("S", 1000, 0, at=0.0)
    a.s("SA", 5000, 1001)
    a.c("A", 1001, 5001)
    a.c("FA", 1001, 5001)
    a.s("FA", 5001, 1002)
    a.c("A", 1002, 5002)
    b = Conn(cap, cli=(CLI4, 40001))
    b.c("S", 1000, 0)
    b.s("SA", 5000, 1001)
    b.c("A", 1001, 5001)
    b.c("FA", 1001, 5001)
    b.s("FA", 5001, 1003)
    return cap


# ---------------------------------------------------------------- malformed inputs (testdata/errors)

def errors_files():
    """name -> bytes for testdata/errors/."""
    files = {}
    files["empty.pcap"] = b""
    files["not_a_capture.txt"] = b"This is a text file, not a packet capture.\n"
    # A valid pcap header with link type 147 (LINKTYPE_USER0) and one frame.
    cap = Capture(ifaces=(LT_USER0,))
    cap.add(b"\x00" * 40, at=0.0)
    files["unsupported_linktype.pcap"] = cap.pcap_bytes()
    # four_way cut in the middle of its last frame's data (header intact).
    full = four_way().pcap_bytes()
    files["truncated.pcap"] = full[:_last_record_offset(full) + 16 + 20]
    # A pcap header announcing a giant snaplen and a record claiming 100 MB: must not allocate it.
    hdr = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LT_EN10MB)
    files["huge_record.pcap"] = hdr + struct.pack("<IIII", T0, 0, 100_000_000, 100_000_000) + b"\0" * 64
    # pcapng whose two interfaces have different link types (Ethernet, Linux SLL): libpcap 1.10 refuses it.
    mixed = Capture(fmt="pcapng", ifaces=(LT_EN10MB, LT_SLL))
    a = Conn(mixed, cli=(CLI4, 40001), iface=0)
    b = Conn(mixed, cli=(CLI4, 40002), link="sll", iface=1)
    a.c("S", 1000, 0, at=0.0)
    b.c("S", 2000, 0, dt=0.001)
    a.s("SA", 5000, 1001)
    b.s("SA", 6000, 2001, dt=0.001)
    files["pcapng_mixed_linktypes.pcapng"] = mixed.to_bytes()
    return files


def _last_record_offset(pcap):
    off = 24
    last = off
    while off < len(pcap):
        last = off
        incl = struct.unpack_from("<I", pcap, off + 8)[0]
        off += 16 + incl
    return last


ERRORS_README = """\
# testdata/errors

Malformed and unusual inputs for the command-line checks built into
tests/e2e/run_e2e.py (they have no expected.json; they are not report cases).
All are written by `python3 tests/tools/craft.py` (function errors_files()).

| file | what it is | expected |
|---|---|---|
| empty.pcap | zero bytes | exit 2, one stderr line |
| not_a_capture.txt | a line of text | exit 2, one stderr line |
| unsupported_linktype.pcap | valid pcap header, link type 147 (USER0), one frame | exit 2, one stderr line |
| truncated.pcap | testdata/four_way/input.pcap cut inside its last frame (frame 11) | exit 0, the 10 frames before reported, one warning line on stderr |
| huge_record.pcap | a record header claiming 100,000,000 captured bytes | exit 0 or 2, no crash (libpcap rejects the record) |
| pcapng_mixed_linktypes.pcapng | pcapng with an Ethernet and a Linux SLL interface, frames interleaved | exit 2, one stderr line naming the libpcap limitation (the report of the frames before it is still written) |
"""


# ---------------------------------------------------------------- main

def readme_for(name, fn):
    doc = " ".join(fn.__doc__.split())
    return ("# %s\n\n%s\n\nCrafted: `python3 tests/tools/craft.py %s` writes this input "
            "(function `%s` in tests/tools/craft.py); expected.json was worked out by hand "
            "from the packets.\n" % (name, doc, name, fn.__name__))


def outputs(root, names):
    """(path, bytes) for every file the given cases write."""
    out = []
    for name in names:
        cap = CASES[name]()
        d = os.path.join(root, name)
        out.append((os.path.join(d, cap.file_name()), cap.to_bytes()))
        out.append((os.path.join(d, "README.md"), readme_for(name, CASES[name]).encode()))
    if names == sorted(CASES):
        for fname, data in errors_files().items():
            out.append((os.path.join(root, "errors", fname), data))
        out.append((os.path.join(root, "errors", "README.md"), ERRORS_README.encode()))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*", help="case names (default: all, plus testdata/errors)")
    ap.add_argument("--testdata", default=os.path.join(here, "..", "..", "testdata"))
    ap.add_argument("--list", action="store_true", help="list case names and exit")
    ap.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 if any file differs")
    args = ap.parse_args()
    if args.list:
        for name in sorted(CASES):
            print(name)
        return 0
    unknown = [n for n in args.cases if n not in CASES]
    if unknown:
        ap.error("unknown case(s): " + ", ".join(unknown))
    names = sorted(args.cases) if args.cases else sorted(CASES)
    stale = 0
    for path, data in outputs(os.path.normpath(args.testdata), names):
        old = None
        if os.path.exists(path):
            with open(path, "rb") as f:
                old = f.read()
        if old == data:
            continue
        if args.check:
            print("stale: " + path)
            stale += 1
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        print("wrote " + path)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
