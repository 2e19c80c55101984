#!/bin/sh
# fuzz_smoke.sh - build the libFuzzer targets and run each for a short, bounded time.
#
#   tests/ci/fuzz_smoke.sh [-t SECONDS] [-b BUILDDIR] [SECONDS]
#
#   -t SECONDS  fuzzing time per target (default 60; also accepted as the operand)
#   -b DIR      build directory (default build-fuzz-ci; configured with clang,
#               -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false)
#
# For each target (fuzz_decode, fuzz_pipeline, fuzz_capture), one at a time:
#   1. replay the regression cases: every file of testdata/malformed/,
#      testdata/errors/ and the hostile captures (tests/tools/hostile.py
#      --small) through fuzz_pipeline and fuzz_capture, every frame of them
#      (as built by fuzz/seeds.py) through fuzz_decode, and
#      fuzz/regress/<target>/*;
#   2. fuzz for SECONDS, starting from the seed corpus fuzz/seeds.py builds
#      from testdata/ and ../shared/corpus/tcpdump (fuzz_capture starts from
#      fuzz_pipeline's: whole capture files).
# Exit status: 0 clean, 1 a crash, leak, UB, timeout or broken property (the
# input is kept in BUILDDIR/fuzz-ci/artifacts/), 2 setup error.
set -eu

secs=60
build=build-fuzz-ci
while getopts t:b: opt; do
	case $opt in
	t) secs=$OPTARG ;;
	b) build=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-b BUILDDIR] [SECONDS]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -gt 0 ]; then secs=$1; fi
case $secs in
''|*[!0-9]*) echo "fuzz_smoke.sh: SECONDS must be a number" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"

command -v clang >/dev/null || { echo "fuzz_smoke.sh: clang is not installed" >&2; exit 2; }
if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null ||
		{ echo "fuzz_smoke.sh: meson setup failed" >&2; exit 2; }
fi
ninja -C "$build" fuzz/fuzz_decode fuzz/fuzz_pipeline fuzz/fuzz_capture >/dev/null ||
	{ echo "fuzz_smoke.sh: build failed" >&2; exit 2; }

work=$(cd "$build" && pwd)/fuzz-ci
rm -rf "$work"
mkdir -p "$work/artifacts" "$work/regress"
python3 fuzz/seeds.py "$work/seeds"
# Frames of the regression captures only, for replay through fuzz_decode.
python3 tests/tools/hostile.py --small "$work/hostile" >/dev/null
python3 fuzz/seeds.py "$work/regress" --only testdata/malformed --only testdata/errors \
	--only "$work/hostile" >/dev/null

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
status=0
summary=""

for t in decode pipeline capture; do
	bin=$build/fuzz/fuzz_$t
	log=$work/$t.log

	# 1. regression replay (libFuzzer runs each file argument once)
	set --
	if [ "$t" != decode ]; then
		for f in testdata/malformed/* testdata/errors/* "$work/hostile"/*; do
			case $f in *.md|*'*') ;; *) set -- "$@" "$f" ;; esac
		done
	else
		for f in "$work/regress/decode"/*; do [ -f "$f" ] && set -- "$@" "$f"; done
	fi
	for f in fuzz/regress/$t/*; do [ -f "$f" ] && set -- "$@" "$f"; done
	n_reg=$#
	if [ "$n_reg" -gt 0 ] && ! "$bin" -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix="$work/artifacts/$t-" "$@" > "$work/$t-regress.log" 2>&1; then
		echo "fuzz_smoke.sh: fuzz_$t FAILED on a regression case:"
		grep -E 'ERROR|runtime error|property broken|Running:' "$work/$t-regress.log" | tail -5
		status=1
		summary="$summary
  fuzz_$t: regression cases FAILED (log $work/$t-regress.log)"
		continue
	fi

	# 2. time-bounded fuzzing from the seeds; new inputs go to a scratch corpus
	mkdir -p "$work/corpus-$t"
	seeds=$t
	[ "$t" = capture ] && seeds=pipeline # whole capture files
	rc=0
	"$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=262144 \
		-print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" \
		"$work/corpus-$t" "$work/seeds/$seeds" > "$log" 2>&1 || rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	if [ "$rc" -ne 0 ]; then
		status=1
		art=$(ls "$work/artifacts/$t-"* 2>/dev/null | head -1)
		echo "fuzz_smoke.sh: fuzz_$t FOUND A PROBLEM (exit $rc):"
		grep -E 'ERROR|runtime error|property broken|SUMMARY' "$log" | head -5
		summary="$summary
  fuzz_$t: FAILED after ${runs:-?} runs; input $art (log $log)"
	else
		summary="$summary
  fuzz_$t: ${secs}s, ${runs:-?} runs, ${n_reg} regression inputs replayed, coverage ${cov:-?} edges, clean"
	fi
done

echo "fuzz_smoke.sh summary:$summary"
if [ "$status" -ne 0 ]; then
	echo "fuzz_smoke.sh: reproduce with: $build/fuzz/fuzz_<target> <input>; add the input to testdata/malformed/ (see notes/fuzzing.md)"
fi
exit "$status"
