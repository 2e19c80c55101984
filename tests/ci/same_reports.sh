#!/bin/sh
# same_reports.sh - two synfin builds write the same reports, byte for byte.
#
#   tests/ci/same_reports.sh A B [CORPUSDIR]
#
# A and B are synfin binaries (say a plain build and the profile-guided one
# bench/pgo-build.sh makes). Each runs on every capture in testdata/ with
# -F jsonl, -F json, -F text -v and --check -F jsonl, and on every file of
# CORPUSDIR (default ../shared/corpus/tcpdump beside the repository, skipped
# when missing) with -F jsonl; stdout, stderr and the exit code must match.
# Prints the runs compared and each one that differs; exit 1 if any does.
set -u
A=$1
B=$2
cd "$(dirname "$0")/../.." || exit 2
CORPUS=${3:-../shared/corpus/tcpdump}
OUT=$(mktemp -d "${TMPDIR:-/tmp}/same_reports.XXXXXX") || exit 2
trap 'rm -rf "$OUT"' EXIT

n=0
bad=0
one() { # file, options...
	f=$1
	shift
	"$A" "$@" -r "$f" >"$OUT/a" 2>&1
	echo "exit $?" >>"$OUT/a"
	"$B" "$@" -r "$f" >"$OUT/b" 2>&1
	echo "exit $?" >>"$OUT/b"
	n=$((n + 1))
	if ! cmp -s "$OUT/a" "$OUT/b"; then
		bad=$((bad + 1))
		echo "differ: $* $f"
	fi
}
for f in $(find testdata -name '*.pcap*' | sort); do
	one "$f" -F jsonl
	one "$f" -F json
	one "$f" -F text -v
	one "$f" --check -F jsonl
done
if [ -d "$CORPUS" ]; then
	for f in "$CORPUS"/*; do
		one "$f" -F jsonl
	done
fi
echo "same_reports: $n runs compared, $bad differ"
[ "$bad" -eq 0 ]
