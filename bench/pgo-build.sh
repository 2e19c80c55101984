#!/usr/bin/env bash
# pgo-build.sh - an optimised synfin built with profile-guided optimisation.
#
#   bench/pgo-build.sh [BUILD_DIR]      (default <repo>/build-pgo)
#
# Three steps, in BUILD_DIR:
#   1. build synfin and bench-gen instrumented (meson -Db_pgo=generate,
#      release, LTO);
#   2. train: run synfin in every format over every capture in testdata/
#      (real Linux captures and crafted edge cases) and over a 300,000-packet
#      capture that bench-gen makes with seed 7 (not the benchmark files,
#      which use seed 1);
#   3. rebuild with the profile (-Db_pgo=use).
# Only synfin and bench-gen are built here: GCC warns about objects that have
# no profile, and warnings are errors. Each run trains afresh (a profile of
# other sources would not match). Prints the directory on the last line.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build-pgo}
TARGETS=(synfin bench/bench-gen)

if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" "$ROOT" --buildtype=release -Db_lto=true -Db_pgo=generate >/dev/null
else
	meson configure "$BUILD" -Db_pgo=generate >/dev/null
fi
find "$BUILD" -name '*.gcda' -delete
ninja -C "$BUILD" "${TARGETS[@]}" >/dev/null

TRAIN=$(mktemp -d "${TMPDIR:-/tmp}/synfin-pgo.XXXXXX")
trap 'rm -rf "$TRAIN"' EXIT
"$BUILD/bench/bench-gen" --packets 300000 --seed 7 --quiet --out "$TRAIN/train.pcap"
n=0
while IFS= read -r f; do
	for fmt in "-F jsonl" "-F json" "-F text" "-F text -v" "--check -F jsonl"; do
		rc=0
		# shellcheck disable=SC2086
		"$BUILD/synfin" $fmt -r "$f" >/dev/null 2>&1 || rc=$?
		# 1: --check found a broken capture, 2: a capture synfin cannot read; anything else is a crash
		if [ "$rc" -gt 2 ]; then
			echo "pgo-build.sh: synfin $fmt -r $f exited $rc" >&2
			exit 1
		fi
		n=$((n + 1))
	done
done < <(find "$ROOT/testdata" -name '*.pcap*' | sort; echo "$TRAIN/train.pcap")
echo "pgo-build.sh: $n training runs" >&2

meson configure "$BUILD" -Db_pgo=use >/dev/null
ninja -C "$BUILD" "${TARGETS[@]}" >/dev/null
echo "$BUILD"
