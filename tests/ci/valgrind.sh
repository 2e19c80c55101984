#!/bin/sh
# valgrind.sh - memcheck synfin over testdata/, the hostile captures and the tcpdump corpus.
#
#   tests/ci/valgrind.sh [-j JOBS] [-b BUILDDIR] [-c CORPUSDIR] [-s N] [-a] [SYNFIN]
#
#   SYNFIN    the synfin binary to check (must be built without sanitizers);
#             when omitted, -b's build is used
#   -j JOBS   parallel valgrind runs (default 2)
#   -b DIR    build directory of a build without sanitizers (default build-valgrind;
#             configured with "meson setup DIR" and built if needed: valgrind
#             cannot run an ASan binary)
#   -c DIR    corpus directory (default ../shared/corpus/tcpdump next to the repository;
#             skipped when missing)
#   -s N      of the corpus files whose link type synfin does not decode (they
#             stop at the header with exit 2 and only exercise that path), run
#             every N-th (default 8); -a runs them all
#   -a        every corpus file
#
# Time: memcheck costs about 0.5 s a run on its own. On 2 cores with -j 2 at
# load average 2: the default set (94 testdata files, 40 hostile captures,
# the 541 corpus files of a supported link type and every 8th of the other
# 289: 720 runs) took 4 min 11 s; -a (964 runs) 5 min 19 s. See notes/fuzzing.md.
#
# A SYNFIN that valgrind cannot read (clang 14 writes DWARF 5 forms valgrind
# 3.19 rejects) is replaced, with a note, by a gcc build in BUILDDIR.
#
# The hostile captures are those tests/tools/hostile.py --small writes.
# Every run is "synfin -r FILE -F json" (stdout discarded) under
#   valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
# and must exit 0 or 2 (analysed, or one error line) with no memcheck error and
# no definite or indirect leak. Logs of failing runs are kept in
# BUILDDIR/valgrind-logs/. Exit status: 0 all clean, 1 a failure, 2 setup error.
set -eu

jobs=2
build=build-valgrind
step=8
here=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$here/../shared/corpus/tcpdump
while getopts aj:b:c:s: opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	b) build=$OPTARG ;;
	c) corpus=$OPTARG ;;
	s) step=$OPTARG ;;
	a) step=1 ;;
	*) echo "usage: $0 [-j JOBS] [-b BUILDDIR] [-c CORPUSDIR] [-s N] [-a] [SYNFIN]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
cd "$here"

command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 2; }
# Can valgrind read this binary? valgrind 3.19 gives up on clang 14's DWARF 5
# ("unhandled dwarf2 abbrev form code 0x25"), exiting 1 on every run.
valgrind_can_run() {
	valgrind -q --error-exitcode=99 "$1" --version >/dev/null 2>"$2" && [ ! -s "$2" ]
}

own_build() {
	if [ ! -f "$build/build.ninja" ]; then
		# gcc: its debug info is what this valgrind reads (see above)
		cc=cc
		command -v gcc >/dev/null && cc=gcc
		CC=$cc meson setup "$build" -Db_sanitize=none >/dev/null ||
			{ echo "valgrind.sh: meson setup failed" >&2; exit 2; }
	fi
	ninja -C "$build" synfin >/dev/null || { echo "valgrind.sh: build failed" >&2; exit 2; }
	synfin=$(cd "$build" && pwd)/synfin
}

preflight=$(mktemp)
trap 'rm -f "$preflight"' EXIT
if [ $# -gt 0 ]; then
	[ -x "$1" ] || { echo "valgrind.sh: $1: not an executable" >&2; exit 2; }
	synfin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
	if ! valgrind_can_run "$synfin" "$preflight"; then
		echo "valgrind.sh: valgrind cannot run $1 ($(grep -m1 -v '^$' "$preflight" | cut -c1-100));" \
			"using a gcc build in $build instead"
		own_build
	fi
else
	own_build
fi
if ! valgrind_can_run "$synfin" "$preflight"; then
	echo "valgrind.sh: valgrind cannot run $synfin:" >&2
	head -5 "$preflight" >&2
	exit 2
fi
if grep -q __asan_init "$synfin"; then
	echo "valgrind.sh: $synfin is built with ASan; use a build without sanitizers (-b)" >&2
	exit 2
fi

logs=$(cd "$(dirname "$synfin")" && pwd)/valgrind-logs
rm -rf "$logs"
mkdir -p "$logs"
list=$logs/files
find testdata -type f \( -name '*.pcap' -o -name '*.pcapng' \
	-o -path 'testdata/errors/*' -o -path 'testdata/malformed/*' \) ! -name '*.md' | sort > "$list"
n_testdata=$(wc -l < "$list")
# The hostile captures of tests/tools/hostile.py (all but the 10^6-connection one).
python3 tests/tools/hostile.py --small "$logs/hostile" >> "$list"
n_hostile=$(($(wc -l < "$list") - n_testdata))
n_corpus=0
if [ -d "$corpus" ]; then
	find "$corpus" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort |
		python3 -c '
import struct, sys
step = int(sys.argv[1])
# link types synfin decodes (src/decode.c), as pcap and pcapng headers write them
supported = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276}
k = 0
for path in sys.stdin.read().splitlines():
    with open(path, "rb") as fh:
        b = fh.read(4096)
    lt = None
    if b[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") and len(b) >= 24:
        lt = struct.unpack("<I", b[20:24])[0] & 0x0FFFFFFF
    elif b[:4] in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d") and len(b) >= 24:
        lt = struct.unpack(">I", b[20:24])[0] & 0x0FFFFFFF
    elif b[:4] == b"\x0a\x0d\x0d\x0a" and len(b) >= 12:
        e = "<" if b[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        n = struct.unpack(e + "I", b[4:8])[0]
        if len(b) >= n + 10:
            lt = struct.unpack(e + "H", b[n + 8:n + 10])[0]
    if lt is None or lt in supported:
        print(path)
    else:
        if k % step == 0:
            print(path)
        k += 1
' "$step" > "$logs/corpus"
	n_corpus=$(wc -l < "$logs/corpus")
	cat "$logs/corpus" >> "$list"
else
	echo "valgrind.sh: no corpus at $corpus, testdata only"
fi

# One run: print "rc<TAB>file"; keep the log of a failing run.
cat > "$logs/one.sh" <<'ONE'
#!/bin/sh
synfin=$1 logs=$2 f=$3
log=$logs/$(printf '%s' "$f" | tr '/' '_').log
t0=$(date +%s%N)
valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--show-leak-kinds=definite,indirect --log-file="$log" "$synfin" -r "$f" -F json >/dev/null 2>"$log.stderr"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ]; then
	if [ -s "$log" ]; then rc=98; fi   # valgrind said something without failing the exit code
fi
if [ "$rc" -eq 0 ] || [ "$rc" -eq 2 ]; then rm -f "$log" "$log.stderr"; fi
printf '%s\t%s\t%s\n' "$rc" "$f" "$ms"
ONE
chmod +x "$logs/one.sh"

echo "valgrind.sh: $n_testdata testdata files + $n_hostile hostile captures + $n_corpus corpus files, $jobs at a time"
start=$(date +%s)
tr '\n' '\0' < "$list" | xargs -0 -P "$jobs" -n 1 "$logs/one.sh" "$synfin" "$logs" > "$logs/results"
secs=$(($(date +%s) - start))

total=$(wc -l < "$logs/results")
ok0=$(awk -F'\t' '$1 == 0' "$logs/results" | wc -l)
ok2=$(awk -F'\t' '$1 == 2' "$logs/results" | wc -l)
bad=$(awk -F'\t' '$1 != 0 && $1 != 2' "$logs/results" | wc -l)
echo "valgrind.sh: $total runs in ${secs}s: $ok0 exit 0, $ok2 exit 2, $bad failed; slowest:"
sort -t "$(printf '\t')" -k3,3nr "$logs/results" | head -3 | awk -F'\t' '{ printf "  %6.1fs %s\n", $3 / 1000, $2 }'
if [ "$bad" -ne 0 ]; then
	awk -F'\t' '$1 != 0 && $1 != 2 {
		why = $1 == 99 ? "memcheck error or leak" : $1 == 98 ? "valgrind output" : "exit " $1
		print "  FAIL " $2 ": " why }' "$logs/results"
	echo "valgrind.sh: logs in $logs"
	exit 1
fi
echo "valgrind.sh: no leak, no invalid access"
