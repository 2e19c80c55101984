#!/usr/bin/env bash
# Record the real-Linux-stack captures under testdata/rec_*/.
#
# Run as root on Linux (network namespaces, veth, tcpdump, dumpcap, nft,
# ethtool, python3); NOT run by CI: the recorded input files are committed as
# recorded and their expected.json files were written by hand from them.
#
#   sudo tests/tools/record.sh             # record every case
#   sudo tests/tools/record.sh rec_reset   # record some cases
#
# Two namespaces (sfrec_c: client 198.18.0.1 / fd00:5f::1, sfrec_s: server
# 198.18.0.2 / fd00:5f::2) joined by one veth pair; captures are taken on the
# client's end (sfrc). Checksum offload, TSO/GSO/GRO are turned off so that
# what is captured is what the wire would carry. Traffic never leaves the two
# namespaces, every wait is bounded, and both namespaces are deleted on exit.
# Re-recording changes ISNs, ports and timestamps: the case's expected.json
# must then be worked out again.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out="${SFREC_OUT:-$top/testdata}"   # SFREC_OUT: write somewhere else (a dry run)
C=sfrec_c
S=sfrec_s
work=$(mktemp -d)

cleanup() {
	ip netns pids "$C" 2>/dev/null | xargs -r kill 2>/dev/null || true
	ip netns pids "$S" 2>/dev/null | xargs -r kill 2>/dev/null || true
	ip netns del "$C" 2>/dev/null || true
	ip netns del "$S" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "record.sh: must run as root" >&2; exit 2; }
for t in ip tcpdump dumpcap nft ethtool python3 timeout sysctl; do
	command -v "$t" >/dev/null || { echo "record.sh: $t not found" >&2; exit 2; }
done

nc() { ip netns exec "$C" "$@"; }
ns() { ip netns exec "$S" "$@"; }

setup() {
	ip netns add "$C"
	ip netns add "$S"
	ip link add sfrc type veth peer name sfrs
	ip link set sfrc netns "$C"
	ip link set sfrs netns "$S"
	nc ip link set sfrc address 02:00:5f:00:00:01
	ns ip link set sfrs address 02:00:5f:00:00:02
	nc ip addr add 198.18.0.1/24 dev sfrc
	ns ip addr add 198.18.0.2/24 dev sfrs
	nc ip addr add fd00:5f::1/64 dev sfrc nodad
	ns ip addr add fd00:5f::2/64 dev sfrs nodad
	for x in "nc sfrc" "ns sfrs"; do
		set -- $x
		$1 ip link set lo up
		$1 ip link set "$2" up
		$1 ethtool -K "$2" tx off rx off tso off gso off gro off >/dev/null 2>&1 || true
		$1 sysctl -qw net.ipv6.conf.all.disable_ipv6=0
		# no IPv6 router/neighbour solicitations in the captures
		$1 sysctl -qw net.ipv6.conf."$2".accept_ra=0
	done
	ns nft add table inet sfrec
	ns nft add chain inet sfrec input '{ type filter hook input priority 0; }'
	nc nft add table inet sfrec
	nc nft add chain inet sfrec input '{ type filter hook input priority 0; }'
	# static neighbours: no ARP or neighbour discovery in the captures
	nc ip neigh replace 198.18.0.2 lladdr 02:00:5f:00:00:02 dev sfrc nud permanent
	nc ip neigh replace fd00:5f::2 lladdr 02:00:5f:00:00:02 dev sfrc nud permanent
	ns ip neigh replace 198.18.0.1 lladdr 02:00:5f:00:00:01 dev sfrs nud permanent
	ns ip neigh replace fd00:5f::1 lladdr 02:00:5f:00:00:01 dev sfrs nud permanent
}

# peer.py: the client and server programs (python3 standard library).
cat >"$work/peer.py" <<'PY'
import socket, sys, time

TCP_FASTOPEN_CONNECT = 30
MSG_FASTOPEN = 0x20000000

def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET

def recv_until_eof(c, limit=10.0):
    c.settimeout(limit)
    got = b""
    while True:
        d = c.recv(65536)
        if not d:
            return got
        got += d

def server(addr, port, mode, n=1):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if mode == "tfo":
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 16)
    if mode == "zerowin":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    s.bind((addr, port))
    s.listen(8)
    s.settimeout(15)
    for _ in range(n):
        c, _ = s.accept()
        c.settimeout(10)
        try:
            serve_one(c, mode)
        except OSError:
            c.close()

def serve_one(c, mode):
    if mode in ("late", "now", "tfo"):
        c.recv(100)
        c.sendall(b"world")
        recv_until_eof(c)
        if mode == "late":
            time.sleep(0.3)
        c.close()
    elif mode == "half":
        recv_until_eof(c)
        time.sleep(0.2)
        c.sendall(b"more!")
        time.sleep(3)
    elif mode == "hold":          # reply; after EOF stay open 3 s, then close
        c.recv(100)
        c.sendall(b"world")
        recv_until_eof(c, 15)
        time.sleep(3)
        c.close()
    elif mode == "zerowin":       # do not read for 3 s: the window closes
        time.sleep(3)
        recv_until_eof(c)
        c.close()
    elif mode == "first":         # the server closes first
        c.recv(100)
        c.sendall(b"bye")
        time.sleep(0.1)
        c.close()
    elif mode == "drain":
        try:
            recv_until_eof(c, 5)
        except OSError:
            pass
        time.sleep(0.3)
        c.close()

def client(addr, port, mode, lport=0):
    fam = family(addr)
    c = socket.socket(fam, socket.SOCK_STREAM)
    c.settimeout(10)
    if lport:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind(("", lport))
    if mode == "nosyn":               # nobody answers: let the SYN be retransmitted
        c.settimeout(3.5)
        try:
            c.connect((addr, port))
        except OSError:
            pass
        return
    if mode == "refused":
        try:
            c.connect((addr, port))
        except OSError:
            pass
        return
    if mode == "tfo":
        c.setsockopt(socket.IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 1)
    if mode == "keepalive":
        c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 5)
    if mode == "zerowin":
        c.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    c.connect((addr, port))
    if mode == "zerowin":
        c.sendall(b"z" * 6000)
        c.close()
        return
    if mode == "drain":               # for FIN drop rules: send, close, wait
        c.sendall(b"hello")
        time.sleep(0.2)
        c.close()
        return
    c.sendall(b"hello")
    if mode == "first":
        c.recv(100)
        recv_until_eof(c)
        time.sleep(0.1)
        c.close()
        return
    if mode == "half":
        c.shutdown(socket.SHUT_WR)
        c.recv(100)
        time.sleep(3)
        return
    c.recv(100)
    if mode == "linger0":
        import struct
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    if mode == "keepalive":
        time.sleep(2.5)                # two keep-alives, answered
        c.shutdown(socket.SHUT_WR)     # FIN, acked; the server holds its side open
        time.sleep(2.5)                # keep-alives after the FIN (seq = FIN's number)
        recv_until_eof(c, 15)
    c.close()

if __name__ == "__main__":
    role, addr, port, mode = sys.argv[1:5]
    extra = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    if role == "server":
        server(addr, int(port), mode, extra or 1)
    else:
        client(addr, int(port), mode, extra)
PY

peer() { python3 "$work/peer.py" "$@"; }

# capture CASE FILE-NAME CAPTURE-COMMAND... : start a capture in the client namespace
cap_start() {
	local dir="$out/$1"
	mkdir -p "$dir"
	rm -f "$dir"/input.pcap "$dir"/input.pcapng
	capfile="$dir/$2"
	shift 2
	# `ip netns exec` forks: record the pid of the capture program itself
	nc sh -c 'echo $$ >"$0"; exec "$@"' "$work/cap.pid" "$@" -w "$capfile" >/dev/null 2>&1 &
	cap_job=$!
	# wait (at most 10 s) until the capture program has written its file
	# header, i.e. is capturing, then a little longer
	local i
	for i in $(seq 100); do
		[ -s "$capfile" ] && break
		sleep 0.1
	done
	sleep 0.5
	cap_pid=$(cat "$work/cap.pid")
}
cap_stop() {
	# libpcap hands packets over when its 1 s buffer timeout expires (unless
	# --immediate-mode): wait that long before stopping the capture
	sleep 1.5
	# TERM, not INT: a background job of a non-interactive shell ignores SIGINT;
	# timeout(1) passes TERM on to the capture program, which then flushes
	kill -TERM "$cap_pid" 2>/dev/null || true
	wait "$cap_job" 2>/dev/null || true
	chmod 644 "$capfile"
	echo "recorded $capfile ($(stat -c %s "$capfile") bytes)"
}
tcpd() { echo timeout 30 tcpdump -i sfrc --immediate-mode -U -n "$@"; }
srv_bg() { ns timeout 20 python3 "$work/peer.py" server "$@" & srv_pid=$!; sleep 0.3; }
srv_wait() { wait "$srv_pid" 2>/dev/null || true; }
cli() { nc timeout 20 python3 "$work/peer.py" client "$@" || echo "record.sh: client $* exited $?" >&2; }

rec_four_way() {
	cap_start rec_four_way input.pcap $(tcpd "tcp port 8080")
	srv_bg 198.18.0.2 8080 late; cli 198.18.0.2 8080 basic; srv_wait
	cap_stop
}
rec_three_way() {
	cap_start rec_three_way input.pcap $(tcpd "tcp port 8080")
	# the server closes as soon as it reads EOF, so its FIN carries the ACK
	srv_bg 198.18.0.2 8080 now; cli 198.18.0.2 8080 basic; srv_wait
	cap_stop
}
rec_refused() {
	cap_start rec_refused input.pcap $(tcpd "tcp port 8081")
	cli 198.18.0.2 8081 refused
	cap_stop
}
rec_no_reply() {
	ns nft add rule inet sfrec input tcp dport 8082 drop
	cap_start rec_no_reply input.pcap $(tcpd "tcp port 8082")
	cli 198.18.0.2 8082 nosyn
	cap_stop
	ns nft flush chain inet sfrec input
}
rec_half_closed() {
	cap_start rec_half_closed input.pcap $(tcpd "tcp port 8080")
	srv_bg 198.18.0.2 8080 half
	cli 198.18.0.2 8080 half &
	local c=$!
	sleep 0.5   # + 1.5 s in cap_stop: stops before the server closes (3.2 s)
	cap_stop
	wait "$c" || true; srv_wait
}
rec_reset() {
	cap_start rec_reset input.pcap $(tcpd "tcp port 8080")
	srv_bg 198.18.0.2 8080 late; cli 198.18.0.2 8080 linger0; srv_wait
	cap_stop
}
rec_keepalive() {
	cap_start rec_keepalive input.pcap $(tcpd "tcp port 8080")
	srv_bg 198.18.0.2 8080 hold; cli 198.18.0.2 8080 keepalive; srv_wait
	cap_stop
}
rec_zero_window() {
	# headers only (snaplen 80) keeps the file small; lengths come from IP
	cap_start rec_zero_window input.pcap $(tcpd -s 80 "tcp port 8080")
	srv_bg 198.18.0.2 8080 zerowin; cli 198.18.0.2 8080 zerowin; srv_wait
	cap_stop
}
rec_tfo() {
	nc sysctl -qw net.ipv4.tcp_fastopen=3
	ns sysctl -qw net.ipv4.tcp_fastopen=3
	# 1: no cookie yet: the SYN asks for one; 2: the SYN carries data, accepted
	cap_start rec_tfo_cookie_request input.pcap $(tcpd "tcp port 8083")
	srv_bg 198.18.0.2 8083 tfo; cli 198.18.0.2 8083 tfo; srv_wait
	cap_stop
	cap_start rec_tfo_accepted input.pcap $(tcpd "tcp port 8083")
	srv_bg 198.18.0.2 8083 tfo; cli 198.18.0.2 8083 tfo; srv_wait
	cap_stop
	# 3: the server no longer does TFO: the SYN's data is not accepted and is re-sent
	ns sysctl -qw net.ipv4.tcp_fastopen=0
	cap_start rec_tfo_not_accepted input.pcap $(tcpd "tcp port 8083")
	srv_bg 198.18.0.2 8083 late; cli 198.18.0.2 8083 tfo; srv_wait
	cap_stop
	nc sysctl -qw net.ipv4.tcp_fastopen=1
	ns sysctl -qw net.ipv4.tcp_fastopen=1
}
rec_ipv6() {
	cap_start rec_ipv6 input.pcap $(tcpd "tcp port 8080")
	srv_bg fd00:5f::2 8080 late; cli fd00:5f::2 8080 basic; srv_wait
	cap_stop
}
rec_sll() {
	cap_start rec_sll input.pcap timeout 30 tcpdump -i any -y LINUX_SLL --immediate-mode -U -n "tcp port 8080"
	srv_bg 198.18.0.2 8080 late; cli 198.18.0.2 8080 basic; srv_wait
	cap_stop
}
rec_sll2() {
	cap_start rec_sll2 input.pcap timeout 30 tcpdump -i any -y LINUX_SLL2 --immediate-mode -U -n "tcp port 8080"
	srv_bg 198.18.0.2 8080 late; cli 198.18.0.2 8080 basic; srv_wait
	cap_stop
}
rec_nanosecond() {
	cap_start rec_nanosecond input.pcap $(tcpd --time-stamp-precision=nano "tcp port 8080")
	srv_bg 198.18.0.2 8080 late; cli 198.18.0.2 8080 basic; srv_wait
	cap_stop
}
rec_pcapng() {
	cap_start rec_pcapng input.pcapng timeout 30 dumpcap -q -i sfrc -f "tcp port 8080"
	srv_bg 198.18.0.2 8080 late; cli 198.18.0.2 8080 basic; srv_wait
	cap_stop
}
rec_snaplen() {
	cap_start rec_snaplen input.pcap $(tcpd -s 54 "tcp port 8080")
	srv_bg 198.18.0.2 8080 late; cli 198.18.0.2 8080 basic; srv_wait
	cap_stop
}
rec_retransmitted_syn() {
	# the server drops SYNs for 1.5 s: the first SYN and its 1 s retransmission
	ns nft add rule inet sfrec input tcp dport 8084 tcp flags syn drop
	cap_start rec_retransmitted_syn input.pcap $(tcpd "tcp port 8084")
	srv_bg 198.18.0.2 8084 late
	( sleep 1.5; ns nft flush chain inet sfrec input ) &
	cli 198.18.0.2 8084 basic; srv_wait
	cap_stop
}
rec_retransmitted_synack() {
	# the client drops SYN-ACKs for 1.5 s (after the capture saw them)
	nc nft add rule inet sfrec input tcp sport 8085 tcp flags '&' '(syn|ack)' == 'syn|ack' drop
	cap_start rec_retransmitted_synack input.pcap $(tcpd "tcp port 8085")
	srv_bg 198.18.0.2 8085 late
	( sleep 1.5; nc nft flush chain inet sfrec input ) &
	cli 198.18.0.2 8085 basic; srv_wait
	cap_stop
}
rec_retransmitted_fin() {
	# the server drops the client's FINs for 0.6 s: the FIN is retransmitted
	ns nft add rule inet sfrec input tcp dport 8086 tcp flags '&' fin == fin drop
	cap_start rec_retransmitted_fin input.pcap $(tcpd "tcp port 8086")
	srv_bg 198.18.0.2 8086 drain
	( sleep 0.9; ns nft flush chain inet sfrec input ) &
	cli 198.18.0.2 8086 drain; srv_wait
	cap_stop
}
rec_incomplete() {
	# the server never gets the client's FIN: it is retransmitted, never acked
	ns nft add rule inet sfrec input tcp dport 8087 tcp flags '&' fin == fin drop
	cap_start rec_incomplete input.pcap $(tcpd "tcp port 8087")
	srv_bg 198.18.0.2 8087 drain
	cli 198.18.0.2 8087 drain
	sleep 1.5
	cap_stop
	ns nft flush chain inet sfrec input
	srv_wait
}
rec_port_reuse() {
	# the same client port twice; the server closes first, so the client
	# holds no TIME_WAIT and can connect again at once
	cap_start rec_port_reuse_after_close input.pcap $(tcpd "tcp port 8088")
	srv_bg 198.18.0.2 8088 first 2
	cli 198.18.0.2 8088 first 40100
	sleep 0.5
	cli 198.18.0.2 8088 first 40100
	srv_wait
	cap_stop
	cap_start rec_port_reuse_after_rst input.pcap $(tcpd "tcp port 8089")
	srv_bg 198.18.0.2 8089 late 2
	cli 198.18.0.2 8089 linger0 40101
	sleep 0.5
	cli 198.18.0.2 8089 basic 40101
	srv_wait
	cap_stop
}

all="rec_four_way rec_three_way rec_refused rec_no_reply rec_half_closed rec_reset
rec_keepalive rec_zero_window rec_tfo rec_ipv6 rec_sll rec_sll2 rec_nanosecond rec_pcapng
rec_snaplen rec_retransmitted_syn rec_retransmitted_synack rec_retransmitted_fin
rec_incomplete rec_port_reuse"

setup
for c in ${*:-$all}; do
	case " $(echo $all) " in
	*" $c "*) "$c" ;;
	*) echo "record.sh: unknown case $c" >&2; exit 2 ;;
	esac
done
