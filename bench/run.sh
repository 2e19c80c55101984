#!/usr/bin/env bash
# bench/run.sh - one-command synfin benchmark.  See bench/README.md.
#
#   bench/run.sh [--quick] [--runs N] [--packets N] [--long] [--flood] ...
#
# Builds what is missing, generates the capture(s) and their truth with
# bench-gen into a scratch directory, then in one run alternates
# floor / synfin -F jsonl / synfin -F json / synfin -F text (output to
# /dev/null) --runs times, measuring wall time and peak RSS with
# /usr/bin/time -f '%e %M', and prints per tool the median wall time,
# packets/s, peak RSS and ratio to the floor.  tcptrace and tshark run on the
# same file where installed.  Finally compare.py checks synfin's jsonl report
# against the truth.  No figure is ever checked against a threshold.
set -uo pipefail

usage() {
	cat <<'EOF'
usage: bench/run.sh [options]
  --quick           tiny smoke run: 200k packets, 1 run, no tcptrace/tshark
  --runs N          timed runs per tool (default 5; --quick: 1)
  --ext-runs N      runs of tcptrace and tshark (default 1)
  --no-external     skip tcptrace and tshark
  --packets N       packets in the main capture (default 10000000)
  --concurrency N   connections open at once (default 1000)
  --seed N          bench-gen seed (default 1)
  --long            also a 5x longer capture, same concurrency: jsonl peak RSS
  --flood           also a SYN flood (5M SYNs; --quick: 100k): RSS, accounting
  --flood-syns N    SYNs in the flood capture
  --dir DIR         scratch directory (default $SYNFIN_BENCH_DIR or /tmp/synfin-bench)
  --build DIR       meson build directory to time as it is (a new one is set up with
                    --buildtype=release -Db_lto=true; a profile-guided one, as
                    bench/pgo-build.sh makes, is not recompiled); default: bench/pgo-build.sh
                    makes <repo>/build-pgo (release, LTO, profile-guided)
  --no-pgo          default build without the profile: <repo>/build-release
  --synfin PATH     synfin binary (default <build>/synfin)
  --fresh           regenerate captures even if cached ones exist
  --strict          exit 1 when synfin disagrees with the truth
  -h, --help        this text
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
BUILD=""
PGO=1
DIR=${SYNFIN_BENCH_DIR:-/tmp/synfin-bench}
RUNS=""
EXT_RUNS=1
EXTERNAL=1
PACKETS=""
CONC=1000
SEED=1
QUICK=0
LONG=0
FLOOD=0
FLOOD_SYNS=""
SYNFIN=""
FRESH=0
STRICT=0
CMDLINE="$(printf '%q ' "$0" "$@")"

need() { [ $# -ge 2 ] || { echo "run.sh: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ;;
	--runs) need "$@"; RUNS=$2; shift ;;
	--ext-runs) need "$@"; EXT_RUNS=$2; shift ;;
	--no-external) EXTERNAL=0 ;;
	--packets) need "$@"; PACKETS=$2; shift ;;
	--concurrency) need "$@"; CONC=$2; shift ;;
	--seed) need "$@"; SEED=$2; shift ;;
	--long) LONG=1 ;;
	--flood) FLOOD=1 ;;
	--flood-syns) need "$@"; FLOOD_SYNS=$2; shift ;;
	--dir) need "$@"; DIR=$2; shift ;;
	--build) need "$@"; BUILD=$2; shift ;;
	--no-pgo) PGO=0 ;;
	--synfin) need "$@"; SYNFIN=$2; shift ;;
	--fresh) FRESH=1 ;;
	--strict) STRICT=1 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "run.sh: unknown option: $1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
for v in RUNS EXT_RUNS PACKETS CONC SEED FLOOD_SYNS; do
	val=${!v}
	if [ -n "$val" ] && ! [[ $val =~ ^[0-9]+$ ]]; then
		echo "run.sh: --$(echo "$v" | tr 'A-Z_' 'a-z-') expects a number, got '$val'" >&2
		exit 2
	fi
done
if [ "$QUICK" = 1 ]; then
	: "${RUNS:=1}" "${PACKETS:=200000}" "${FLOOD_SYNS:=100000}"
	EXTERNAL=0
fi
: "${RUNS:=5}" "${PACKETS:=10000000}" "${FLOOD_SYNS:=5000000}"
[ "$RUNS" -ge 1 ] || RUNS=1
[ "$EXT_RUNS" -ge 1 ] || EXT_RUNS=1

mkdir -p "$DIR" || { echo "run.sh: cannot create $DIR" >&2; exit 2; }
DIR=$(cd "$DIR" && pwd)
STATUS=0
fail() { echo "FAIL: $*"; STATUS=1; }

# ---------------------------------------------------------------- header
echo "== synfin benchmark =="
echo "command:  $CMDLINE"
echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
echo "machine:  $(nproc) CPUs, ${cpu:-unknown CPU}, ${mem:-? GiB} RAM, $(uname -sr)"
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
[ -n "$load" ] && echo "load:     $load (1/5/15 min) at start"
echo "scratch:  $DIR"

# ---------------------------------------------------------------- build
BUILD_LOG="$DIR/build.log"
: >"$BUILD_LOG"
# The values of meson options NAME... of build directory DIR, one line, space-separated
# (nothing when DIR has no meson-info or there is no python3).
meson_opts() { # DIR NAME...
	local f="$1/meson-info/intro-buildoptions.json"
	shift
	[ -f "$f" ] && command -v python3 >/dev/null 2>&1 || return 0
	python3 -c 'import json, sys
o = {x["name"]: x["value"] for x in json.load(open(sys.argv[1]))}
print(" ".join(str(o.get(k)) for k in sys.argv[2:]))' "$f" "$@" 2>/dev/null
}
if [ -n "$BUILD" ]; then
	PGO=0 # a given build directory is timed as it is
	if [ "$(meson_opts "$BUILD" b_pgo)" = use ]; then
		# made by bench/pgo-build.sh: not recompiled (its other targets have no
		# profile, which GCC warns about), and like it, its own bench-gen is not used
		PGO=1
	fi
elif [ "$PGO" = 1 ]; then
	# trained on testdata/ and a capture of another seed, then rebuilt: see bench/pgo-build.sh
	BUILD="$ROOT/build-pgo"
	if ! bash "$BENCH/pgo-build.sh" "$BUILD" >>"$BUILD_LOG" 2>&1; then
		echo "note: the profile-guided build failed (see $BUILD_LOG); timing a plain release build"
		PGO=0
		BUILD="$ROOT/build-release"
	fi
else
	BUILD="$ROOT/build-release"
fi
if [ "$PGO" = 0 ] && command -v meson >/dev/null 2>&1 && [ -f "$ROOT/meson.build" ]; then
	if [ ! -f "$BUILD/build.ninja" ]; then
		# a new build directory is an optimised one: what users should run on big captures
		meson setup "$BUILD" "$ROOT" --buildtype=release -Db_lto=true >>"$BUILD_LOG" 2>&1 ||
			echo "note: meson setup failed (see $BUILD_LOG)"
	fi
	if [ -f "$BUILD/build.ninja" ]; then
		meson compile -C "$BUILD" >>"$BUILD_LOG" 2>&1 || echo "note: meson compile failed (see $BUILD_LOG)"
	fi
fi
opts=$(meson_opts "$BUILD" buildtype b_lto b_pgo b_sanitize)
if [ -n "$opts" ]; then
	read -r bt lto pgo san <<<"$opts"
	echo "build:    $BUILD (buildtype $bt, lto $lto, pgo $pgo, sanitize $san)"
fi

# bench-gen / bench-floor: from the meson build when bench/ is part of it,
# else compiled here (they need nothing but a C compiler and libpcap).
CC=${CC:-cc}
CFLAGS_BENCH="-std=c11 -O2 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE"
build_local() { # name source libs...
	local out="$DIR/bin/$1" src="$2"
	shift 2
	mkdir -p "$DIR/bin"
	if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
		# shellcheck disable=SC2086
		$CC $CFLAGS_BENCH "$src" -o "$out" "$@" >>"$BUILD_LOG" 2>&1 || return 1
	fi
	echo "$out"
}
# (the profile-guided build remakes its own bench-gen on every run, which would
# make the cached captures look stale: a plain -O2 one made here then)
if [ "$PGO" = 0 ] && [ -x "$BUILD/bench/bench-gen" ] && ! [ "$BENCH/gen.c" -nt "$BUILD/bench/bench-gen" ]; then
	GEN="$BUILD/bench/bench-gen"
else
	GEN=$(build_local bench-gen "$BENCH/gen.c" -lm) || { echo "run.sh: cannot build bench-gen (see $BUILD_LOG)" >&2; exit 2; }
fi
# (the profile-guided build has none: the floor is a plain -O2 build then)
if [ "$PGO" = 0 ] && [ -x "$BUILD/bench/bench-floor" ] && ! [ "$BENCH/floor.c" -nt "$BUILD/bench/bench-floor" ]; then
	FLOOR="$BUILD/bench/bench-floor"
else
	PCAP_LIBS=$(pcap-config --libs 2>/dev/null || pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
	# shellcheck disable=SC2086
	FLOOR=$(build_local bench-floor "$BENCH/floor.c" $PCAP_LIBS) || { echo "run.sh: cannot build bench-floor (see $BUILD_LOG)" >&2; exit 2; }
fi
: "${SYNFIN:=$BUILD/synfin}"
if [ ! -x "$SYNFIN" ]; then
	echo "run.sh: no synfin binary at $SYNFIN (build failed? see $BUILD_LOG)" >&2
	exit 2
fi
echo "synfin:   $SYNFIN ($("$SYNFIN" --version 2>/dev/null | head -n 1))"
echo "bench:    $GEN, $FLOOR"

# ---------------------------------------------------------------- timing
TF="$DIR/.time.$$"
ERRF="$DIR/.stderr.$$"
trap 'rm -f "$TF" "$ERRF"' EXIT
if /usr/bin/time -f '%e %M' -o "$TF" true >/dev/null 2>&1 && [ -s "$TF" ]; then
	TIMER=gnu
	echo "timer:    /usr/bin/time -f '%e %M' (wall seconds, peak RSS KiB)"
else
	TIMER=py
	cat >"$DIR/timeit.py" <<'EOF'
# timeit.py OUT CMD...: writes "wall_seconds peak_rss_kib" to OUT, exits as CMD.
# A child forked from Python starts with Python's memory and Linux carries
# that into the child's ru_maxrss; so when the child's ru_maxrss does not
# exceed Python's own, its peak is taken from /proc/PID/status VmHWM, polled.
import resource, subprocess, sys, time
t = time.monotonic()
p = subprocess.Popen(sys.argv[2:])
hwm = 0
while p.poll() is None:
    try:
        with open(f"/proc/{p.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    hwm = max(hwm, int(line.split()[1]))
    except (OSError, ValueError):
        pass
    time.sleep(0.002)
el = time.monotonic() - t
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rss = child if child > own else hwm
with open(sys.argv[1], "w") as f:
    f.write(f"{el:.3f} {rss}\n")
sys.exit(p.returncode)
EOF
	echo "timer:    python3 resource.getrusage wrapper (no GNU time at /usr/bin/time)"
fi

# measure CMD... : runs CMD (stdout to whatever the caller redirected),
# sets WALL (s), RSS (KiB), RC.
measure() {
	rm -f "$TF"
	if [ "$TIMER" = gnu ]; then
		/usr/bin/time -f '%e %M' -o "$TF" "$@" 2>"$ERRF"
	else
		python3 "$DIR/timeit.py" "$TF" "$@" 2>"$ERRF"
	fi
	RC=$?
	read -r WALL RSS < <(tail -n 1 "$TF" 2>/dev/null)
	WALL=${WALL:-nan}
	RSS=${RSS:-0}
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
maxof() { printf '%s\n' "$@" | sort -g | tail -n 1; }
# paired A B: the median over the rounds of A[i] / B[i] (two lists of the same length), else "-"
paired() {
	local ratios
	ratios=$(awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, " "); m = split(b, y, " ")
		if (n == m) for (i = 1; i <= n; i++) printf "%.6f\n", (y[i] > 0 ? x[i] / y[i] : 0)
	}')
	[ -n "$ratios" ] || { echo "-"; return; }
	# shellcheck disable=SC2086
	printf '%.2fx\n' "$(median $ratios)"
}
minof() { printf '%s\n' "$@" | sort -g | head -n 1; }

declare -A WALLS RSSS FAILS
record() { # tool
	WALLS[$1]+="$WALL "
	RSSS[$1]+="$RSS "
	if [ "$RC" != 0 ]; then
		FAILS[$1]+="$RC "
		echo "  $1 exited $RC: $(head -c 300 "$ERRF" | tr '\n' ' ')"
	fi
}

# ---------------------------------------------------------------- captures
free_mb() { df -Pm "$DIR" | awk 'NR == 2 { print $4 }'; }
# gen NAME ARGS... : writes $DIR/NAME.pcap (+ NAME.truth.jsonl unless a flood)
gen() {
	local name=$1
	shift
	local pcap="$DIR/$name.pcap" truth="$DIR/$name.truth.jsonl" targs=()
	case "$name" in flood-*) truth="" ;; *) targs=(--truth "$truth.tmp") ;; esac
	if [ "$FRESH" = 0 ] && [ -s "$pcap" ] && [ "$pcap" -nt "$GEN" ] && { [ -z "$truth" ] || [ -s "$truth" ]; }; then
		echo "capture:  $pcap (cached)"
		return 0
	fi
	echo "generating $pcap ..."
	rm -f "$pcap" "$truth"
	if ! "$GEN" "$@" --out "$pcap.tmp" "${targs[@]}" 2>"$DIR/gen-$name.log"; then
		cat "$DIR/gen-$name.log" >&2
		echo "run.sh: bench-gen failed" >&2
		rm -f "$pcap.tmp" "$truth.tmp"
		exit 2
	fi
	sed 's/^/  /' "$DIR/gen-$name.log"
	mv "$pcap.tmp" "$pcap"
	[ -n "$truth" ] && mv "$truth.tmp" "$truth"
	return 0
}

need_mb=$((PACKETS / 9000 + 64))
[ "$LONG" = 1 ] && need_mb=$((need_mb * 6))
if [ "$(free_mb)" -lt "$need_mb" ]; then
	echo "warning: $(free_mb) MB free in $DIR, about $need_mb MB needed"
fi

MAIN="main-p$PACKETS-c$CONC-s$SEED"
gen "$MAIN" --packets "$PACKETS" --concurrency "$CONC" --seed "$SEED"
PCAP="$DIR/$MAIN.pcap"
TRUTH="$DIR/$MAIN.truth.jsonl"

# warm the page cache and learn the packet count
floor_out=$("$FLOOR" "$PCAP") || { echo "run.sh: bench-floor cannot read $PCAP" >&2; exit 2; }
NPKT=$(awk '{ print $2 }' <<<"$floor_out")
echo "capture:  $NPKT packets, $(du -m "$PCAP" | cut -f1) MB, $(wc -l <"$TRUTH") connections (truth)"

# ---------------------------------------------------------------- timed runs
TOOLS=(floor jsonl json text)
declare -A LABEL=([floor]="floor (pcap_next_ex)" [jsonl]="synfin -F jsonl" [json]="synfin -F json"
	[text]="synfin -F text" [tcptrace]="tcptrace -n" [tshark]="tshark -q -z conv,tcp")

run_tool() { # tool pcap
	case "$1" in
	floor) measure "$FLOOR" "$2" >/dev/null ;;
	jsonl | json | text) measure "$SYNFIN" -r "$2" -F "$1" >/dev/null ;;
	tcptrace) measure tcptrace -n "$2" >/dev/null ;;
	tshark) measure tshark -n -q -z conv,tcp -r "$2" >/dev/null ;;
	esac
}

echo
echo "== $RUNS run(s), alternating ${TOOLS[*]} =="
for ((i = 1; i <= RUNS; i++)); do
	line="run $i:"
	for t in "${TOOLS[@]}"; do
		run_tool "$t" "$PCAP"
		record "$t"
		line+=" $t ${WALL}s"
	done
	echo "  $line"
done

EXT_TOOLS=()
if [ "$EXTERNAL" = 1 ]; then
	command -v tcptrace >/dev/null 2>&1 && EXT_TOOLS+=(tcptrace) || echo "  (tcptrace not installed: skipped)"
	command -v tshark >/dev/null 2>&1 && EXT_TOOLS+=(tshark) || echo "  (tshark not installed: skipped)"
	for ((i = 1; i <= EXT_RUNS; i++)); do
		for t in "${EXT_TOOLS[@]}"; do
			run_tool "$t" "$PCAP"
			record "$t"
			echo "  run $i: $t ${WALL}s"
		done
	done
fi

print_table() { # tools...
	local floor_med
	# shellcheck disable=SC2086
	floor_med=$(median ${WALLS[floor]})
	printf '%-24s %4s %9s %9s %9s %10s %13s %8s %9s\n' tool runs "median s" "min s" "max s" "Mpkt/s" "peak RSS MiB" "x floor" "paired x"
	for t in "$@"; do
		[ -n "${WALLS[$t]:-}" ] || continue
		local med mn mx rss n pr=-
		# shellcheck disable=SC2086
		{
			med=$(median ${WALLS[$t]})
			mn=$(minof ${WALLS[$t]})
			mx=$(maxof ${WALLS[$t]})
			rss=$(maxof ${RSSS[$t]})
			n=$(wc -w <<<"${WALLS[$t]}")
		}
		# the tools of the alternating rounds: each run against the floor's run of its round
		case " ${TOOLS[*]} " in *" $t "*) pr=$(paired "${WALLS[$t]}" "${WALLS[floor]}") ;; esac
		awk -v l="${LABEL[$t]}" -v n="$n" -v med="$med" -v mn="$mn" -v mx="$mx" -v rss="$rss" -v p="$NPKT" -v f="$floor_med" -v pr="$pr" -v bad="${FAILS[$t]:-}" 'BEGIN {
			rate = med > 0 ? p / med / 1e6 : 0
			ratio = f > 0 ? med / f : 0
			printf "%-24s %4d %9.3f %9.3f %9.3f %10.2f %13.1f %7.1fx %9s%s\n", l, n, med, mn, mx, rate, rss / 1024, ratio, pr, bad != "" ? "  FAILED (exit " bad ")" : ""
		}'
	done
}

echo
echo "== results: $NPKT packets, warm page cache =="
print_table "${TOOLS[@]}" "${EXT_TOOLS[@]}"
for t in jsonl json text; do
	[ -n "${FAILS[$t]:-}" ] && fail "synfin -F $t exited non-zero"
done

# ---------------------------------------------------------------- threads
# Files are read, decoded and hashed on one thread and tracked and reported
# on the other, so the wall time follows the busier of the two: this shows
# which. `-F text -q` makes no records: the tracking alone.
TRUNS=$((RUNS < 3 ? RUNS : 3))
declare -A TLABEL=([jsonl]="synfin -F jsonl" [json]="synfin -F json" [text]="synfin -F text"
	[textq]="synfin -F text -q")
declare -A TARGS=([jsonl]="-F jsonl" [json]="-F json" [text]="-F text" [textq]="-F text -q")
declare -A TW TM TO
echo
echo "== where the time goes: CPU seconds of synfin's two threads, median of $TRUNS run(s) =="
for ((i = 1; i <= TRUNS; i++)); do
	for t in jsonl json text textq; do
		# shellcheck disable=SC2086
		if read -r w m o < <(python3 "$BENCH/threads.py" "$SYNFIN" -r "$PCAP" ${TARGS[$t]} 2>"$ERRF"); then
			TW[$t]+="$w "
			TM[$t]+="$m "
			TO[$t]+="$o "
		fi
	done
done
# shellcheck disable=SC2086
floor_med=$(median ${WALLS[floor]})
printf '%-24s %8s %17s %16s %18s\n' run "wall s" "tracking thread" "reading thread" "tracking x floor"
for t in jsonl json text textq; do
	[ -n "${TW[$t]:-}" ] || { echo "${TLABEL[$t]}: no figures ($(head -c 200 "$ERRF"))"; continue; }
	# shellcheck disable=SC2086
	awk -v l="${TLABEL[$t]}" -v w="$(median ${TW[$t]})" -v m="$(median ${TM[$t]})" -v o="$(median ${TO[$t]})" \
		-v f="$floor_med" 'BEGIN { printf "%-24s %8.3f %17.3f %16.3f %17.1fx\n", l, w, m, o, (f > 0 ? m / f : 0) }'
done
echo "(reading thread: the file's records (read in place by savefile.c; the floor's loop calls libpcap's pcap_next_ex),"
echo " decoding and hashing, and the report's records of the connections the tracking thread finished;"
echo " tracking thread: the flow table, tracker, Zeek and Wireshark emulation; -q: no records)"

# ---------------------------------------------------------------- agreement
echo
echo "== agreement with the truth (synfin -F jsonl vs $MAIN.truth.jsonl) =="
"$SYNFIN" -r "$PCAP" -F jsonl 2>"$ERRF" | python3 "$BENCH/compare.py" - "$TRUTH"
rcs=("${PIPESTATUS[@]}")
if [ "${rcs[0]}" != 0 ]; then
	fail "synfin -F jsonl exited ${rcs[0]}: $(head -c 300 "$ERRF")"
fi
case "${rcs[1]}" in
0) ;;
1) [ "$STRICT" = 1 ] && fail "synfin disagrees with the truth" ;;
*) fail "compare.py could not read the report" ;;
esac

# ---------------------------------------------------------------- long
if [ "$LONG" = 1 ]; then
	LP=$((PACKETS * 5))
	LNAME="long-p$LP-c$CONC-s$SEED"
	echo
	echo "== long capture: 5x the packets and connections, same concurrency =="
	gen "$LNAME" --packets "$LP" --concurrency "$CONC" --seed "$SEED"
	LPCAP="$DIR/$LNAME.pcap"
	"$FLOOR" "$LPCAP" >/dev/null
	measure "$FLOOR" "$LPCAP" >/dev/null
	lf_wall=$WALL
	measure "$SYNFIN" -r "$LPCAP" -F jsonl >/dev/null
	[ "$RC" != 0 ] && fail "synfin -F jsonl on the long capture exited $RC"
	# shellcheck disable=SC2086
	base_rss=$(maxof ${RSSS[jsonl]})
	awk -v w="$WALL" -v f="$lf_wall" -v r="$RSS" -v b="$base_rss" -v p="$LP" 'BEGIN {
		printf "synfin -F jsonl, %d packets: %.2f s (%.2f Mpkt/s, %.1fx floor), peak RSS %.1f MiB\n", p, w, (w > 0 ? p / w / 1e6 : 0), (f > 0 ? w / f : 0), r / 1024
		printf "peak RSS long / main capture: %.1f / %.1f MiB = %.2f (1.00 = bounded by concurrency, not capture size)\n", r / 1024, b / 1024, (b > 0 ? r / b : 0)
	}'
fi

# ---------------------------------------------------------------- flood
if [ "$FLOOD" = 1 ]; then
	FNAME="flood-n$FLOOD_SYNS-s$SEED"
	echo
	echo "== SYN flood: $FLOOD_SYNS SYNs from distinct sources to one server, none answered =="
	gen "$FNAME" --syn-flood "$FLOOD_SYNS" --seed "$SEED"
	FPCAP="$DIR/$FNAME.pcap"
	"$FLOOR" "$FPCAP" >/dev/null
	# time(1) waits for bash, whose peak RSS covers its children: synfin's
	# shellcheck disable=SC2016
	measure bash -c 'set -o pipefail; "$0" -r "$1" -F jsonl | tail -n 1 >"$2"' \
		"$SYNFIN" "$FPCAP" "$DIR/flood-summary.json"
	[ "$RC" != 0 ] && fail "synfin on the flood capture exited $RC: $(head -c 300 "$ERRF")"
	if ! python3 - "$DIR/flood-summary.json" "$FLOOD_SYNS" "$WALL" "$RSS" <<'EOF'
import json, sys
path, n, wall, rss = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print(f"synfin -F jsonl (default options): {wall:.2f} s ({n / wall / 1e6 if wall else 0:.2f} Mpkt/s), peak RSS {rss / 1024:.1f} MiB")
try:
    s = json.load(open(path))["summary"]
except (OSError, ValueError, KeyError) as e:
    print(f"FAIL: no summary line in synfin's jsonl output ({e})")
    sys.exit(1)
conns = s.get("connections")
nr = (s.get("handshake") or {}).get("no_reply")
ok = conns == n and nr == n
print(f"summary.connections = {conns}, summary.handshake.no_reply = {nr}, SYNs sent = {n}: "
      + ("all SYNs accounted for" if ok else "MISMATCH"))
sys.exit(0 if ok else 1)
EOF
	then
		fail "SYN flood accounting"
	fi
fi

echo
if [ "$STATUS" = 0 ]; then echo "bench: done"; else echo "bench: done, with failures"; fi
exit "$STATUS"
