#!/usr/bin/env python3
"""Crash sweep: run synfin -F json on every file of a capture corpus.

    corpus_sweep.py --synfin build/synfin --corpus ../shared/corpus [-j N]

Each file must finish within 5 s with exit 0 or 2, and stderr must hold no
sanitizer report (AddressSanitizer, UndefinedBehaviorSanitizer "runtime
error:", LeakSanitizer). Exit 77 (meson's "skipped") when the corpus
directory is missing. Prints `FAIL file: why` per failure and ends with
`N passed, N failed`. Python 3 standard library only.
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys

TIMEOUT = 5
SANITIZER = re.compile(r"ERROR: AddressSanitizer|runtime error:|LeakSanitizer")


def check(synfin, path):
    try:
        p = subprocess.run([synfin, "-r", path, "-F", "json"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return "timed out after %d s" % TIMEOUT
    err = p.stderr.decode("utf-8", "replace")
    m = SANITIZER.search(err)
    if m:
        i = m.start()
        return "sanitizer: %s" % err[i:i + 400].replace("\n", " | ")
    if p.returncode < 0:
        return "killed by signal %d" % -p.returncode
    if p.returncode not in (0, 2):
        return "exit %d: %s" % (p.returncode, err.strip()[:200])
    return None


def main():
    ap = argparse.ArgumentParser(description="synfin corpus crash sweep")
    ap.add_argument("--synfin", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("-j", type=int, default=os.cpu_count() or 1, help="parallel runs")
    args = ap.parse_args()
    if not os.path.isdir(args.corpus):
        print("corpus %s not found: skipped" % args.corpus)
        return 77
    synfin = os.path.abspath(args.synfin)
    files = []
    for root, dirs, names in os.walk(args.corpus):
        dirs.sort()
        files += [os.path.join(root, n) for n in sorted(names)]
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.j)) as ex:
        for path, why in zip(files, ex.map(lambda f: check(synfin, f), files)):
            if why:
                failed += 1
                print("FAIL %s: %s" % (os.path.relpath(path, args.corpus), why), flush=True)
            else:
                passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
