#!/usr/bin/env python3
"""Run synfin over hostile captures with time and memory limits (python3, stdlib only).

    run_hostile.py --synfin PATH [--testdata DIR] [--corpus DIR] [--no-corpus]
                   [--only NAME ...] [--keep DIR] [-j N]

1. tests/tools/hostile.py writes every hostile case into a temporary
   directory; synfin -F json, -F jsonl and -F text -v run on each (for the
   10^6-connection case: -F jsonl, of which only the summary line is kept
   and parsed, and -F text -q).
2. A capture, a missing file and an interface whose names hold terminal
   escapes, invalid UTF-8 and a newline: nothing of the name may reach
   stderr or the report raw.
3. synfin -F json runs on every file of testdata/malformed/ and testdata/errors/.
4. synfin -F json runs on every capture of the tcpdump corpus
   (../shared/corpus/tcpdump next to the repository, or --corpus).

Every run must end within its time limit with exit 0 or 2, print no
sanitizer report, and:
  exit 2: exactly one line on stderr, starting "synfin: ";
  exit 0: at most one line on stderr (a "synfin: warning: " line about a
          truncated file), valid UTF-8 JSON with the counts hostile.py
          expects (json, jsonl), and text without control characters.
Memory: without sanitizers each run gets RLIMIT_AS (--mem-mib, default
2048); under ASan (which reserves terabytes of virtual memory) no limit is
set and the peak RSS is measured instead and checked against the same bound
times ASan's overhead allowance (--asan-mem-factor, default 2).
"""

import argparse
import concurrent.futures
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "tools"))
import hostile  # noqa: E402

SANITIZER_RE = re.compile(rb"(ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|"
                          rb"ERROR: UndefinedBehaviorSanitizer|SUMMARY: \w+Sanitizer|==\d+==ERROR)")
# Cases that take longer than the default limit (seconds, per run).
SLOW = {"same_bucket_1e6": 300}


def is_sanitized(path):
    with open(path, "rb") as fh:
        data = fh.read()
    return b"__asan_init" in data or b"__ubsan_handle" in data


class Runner:
    def __init__(self, synfin, timeout, mem_mib, sanitized, asan_factor):
        self.synfin = synfin
        self.timeout = timeout
        self.mem = mem_mib * 1024 * 1024
        self.sanitized = sanitized
        self.asan_factor = asan_factor
        self.failures = []
        self.lock = threading.Lock()
        self.peak_rss_kib = 0
        self.runs = 0

    def fail(self, what, msg):
        with self.lock:
            self.failures.append(f"{what}: {msg}")

    def _limit(self):
        if not self.sanitized:
            resource.setrlimit(resource.RLIMIT_AS, (self.mem, self.mem))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    def run(self, args, what, timeout=None, tail=None):
        """Run synfin; returns (rc, stdout bytes, stderr bytes, seconds, max RSS KiB).

        tail: keep only (at least) the last `tail` bytes of stdout.
        The child is reaped with os.wait4 so that its own peak RSS is known
        (RUSAGE_CHILDREN would give the maximum over every child so far).
        rc is None after a timeout.
        """
        timeout = timeout or self.timeout
        t0 = time.monotonic()
        p = subprocess.Popen([os.fsencode(self.synfin)] + [os.fsencode(x) for x in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=subprocess.DEVNULL, preexec_fn=self._limit)
        bufs = {"out": [], "err": []}

        def drain(fh, key, keep):
            held = 0
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                bufs[key].append(chunk)
                held += len(chunk)
                while keep and held - len(bufs[key][0]) >= keep:
                    held -= len(bufs[key].pop(0))  # only the last `keep` bytes matter
            fh.close()

        readers = [threading.Thread(target=drain, args=(p.stderr, "err", None)),
                   threading.Thread(target=drain, args=(p.stdout, "out", tail))]
        for th in readers:
            th.start()
        timed_out = False
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - t0 > timeout:
                p.kill()
                pid, status, ru = os.wait4(p.pid, 0)
                timed_out = True
                break
            time.sleep(0.005)
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        for th in readers:
            th.join()
        secs = time.monotonic() - t0
        out, err = b"".join(bufs["out"]), b"".join(bufs["err"])
        with self.lock:
            self.runs += 1
            self.peak_rss_kib = max(self.peak_rss_kib, ru.ru_maxrss)
        if timed_out:
            self.fail(what, f"no exit within {timeout} s")
            return None, out, err, secs, ru.ru_maxrss
        if self.sanitized and ru.ru_maxrss * 1024 > self.mem * self.asan_factor:
            self.fail(what, f"peak RSS {ru.ru_maxrss // 1024} MiB exceeds "
                            f"{int(self.mem * self.asan_factor) // 2**20} MiB")
        if SANITIZER_RE.search(err):
            self.fail(what, "sanitizer report:\n" + err.decode("utf-8", "replace")[:4000])
        return p.returncode, out, err, secs, ru.ru_maxrss

    def check_exit(self, what, rc, err, allowed=(0, 2)):
        """Exit status and stderr shape. True when the run ended normally with exit 0."""
        if rc is None:
            return False
        if rc < 0:
            self.fail(what, f"killed by signal {-rc}: {err[-2000:]!r}")
            return False
        if rc not in allowed:
            self.fail(what, f"exit {rc}, expected {' or '.join(map(str, allowed))}; stderr {err[-500:]!r}")
            return False
        lines = err.decode("utf-8", "replace").splitlines()
        if rc == 2:
            if len(lines) != 1 or not lines[0].startswith("synfin: "):
                self.fail(what, f"exit 2 wants exactly one 'synfin: ...' line on stderr, got {lines!r}")
        else:
            bad = [ln for ln in lines if not ln.startswith("synfin: warning: ")]
            if len(lines) > 1 or bad:
                self.fail(what, f"exit {rc} with unexpected stderr {lines!r}")
        if any(ch < 0x20 and ch not in (0x0A,) or ch == 0x7F for ch in err):
            self.fail(what, f"control character on stderr: {err!r}")
        return rc == 0


def check_text(runner, what, out):
    try:
        s = out.decode("utf-8")
    except UnicodeDecodeError as e:
        runner.fail(what, f"text report is not valid UTF-8: {e}")
        return
    for ch in s:
        o = ord(ch)
        if (o < 0x20 and ch != "\n") or 0x7F <= o < 0xA0:
            runner.fail(what, f"text report holds control character U+{o:04X}")
            return


def load_json(runner, what, data):
    try:
        return json.loads(data.decode("utf-8"))  # strict: invalid UTF-8 raises
    except (UnicodeDecodeError, ValueError) as e:
        runner.fail(what, f"invalid JSON: {e}")
        return None


def count_ok(got, want):
    if isinstance(want, tuple):
        return isinstance(got, int) and want[0] <= got <= want[1]
    return got == want


def check_counts(runner, what, doc, expect):
    if not expect or doc is None:
        return
    inp, summ = doc.get("input", {}), doc.get("summary", {})
    got = {"connections": summ.get("connections"), "packets": inp.get("packets"),
           "tcp_packets": inp.get("tcp_packets")}
    for k in ("connections", "packets", "tcp_packets"):
        if k in expect and not count_ok(got[k], expect[k]):
            runner.fail(what, f"{k} = {got[k]}, expected {expect[k]}")
    for reason, n in expect.get("skipped", {}).items():
        if inp.get("skipped", {}).get(reason) != n:
            runner.fail(what, f"skipped.{reason} = {inp.get('skipped', {}).get(reason)}, expected {n}")


def hostile_case(runner, name, path, report):
    expect = hostile.CASES[name]
    allowed = {"ok": (0,), "error": (2,), "either": (0, 2)}[expect]
    counts = hostile.EXPECT.get(name, {})
    limit = SLOW.get(name)
    big = name in SLOW
    line = {"case": name}

    # json (the big case: jsonl, keeping only the tail; only the summary line is parsed)
    if big:
        rc, out, err, secs, rss = runner.run(["-r", path, "-F", "jsonl"], name + " jsonl", limit,
                                             tail=1 << 20)
        line["jsonl_s"] = round(secs, 2)
        line["rss"] = rss
        if runner.check_exit(name + " jsonl", rc, err, allowed):
            last = out.splitlines()[-1] if out else b""
            check_counts(runner, name + " jsonl", load_json(runner, name + " jsonl", last), counts)
    else:
        rc, out, err, secs, rss = runner.run(["-r", path, "-F", "json"], name + " json", limit)
        line["json_s"] = round(secs, 2)
        line["rss"] = rss
        if runner.check_exit(name + " json", rc, err, allowed):
            check_counts(runner, name + " json", load_json(runner, name + " json", out), counts)
        rc, out, err, secs, _ = runner.run(["-r", path, "-F", "jsonl"], name + " jsonl", limit)
        if runner.check_exit(name + " jsonl", rc, err, allowed):
            lines = out.splitlines()
            docs = [load_json(runner, name + " jsonl", ln) for ln in lines]
            if not docs or docs[-1] is None or "summary" not in docs[-1]:
                runner.fail(name + " jsonl", "last line is not the summary")
            else:
                check_counts(runner, name + " jsonl", docs[-1], counts)
                n = sum(1 for d in docs[:-1] if d is not None)
                if n != docs[-1]["summary"].get("connections"):
                    runner.fail(name + " jsonl", f"{n} connection lines, summary says "
                                f"{docs[-1]['summary'].get('connections')}")

    # text (-q for the big case: 10^6 connection blocks would only measure the terminal)
    targs = ["-r", path, "-F", "text"] + (["-q"] if big else ["-v"])
    rc, out, err, secs, rss = runner.run(targs, name + " text", limit)
    line["text_s"] = round(secs, 2)
    line["rss"] = max(line["rss"], rss)
    line["exit"] = rc
    if runner.check_exit(name + " text", rc, err, allowed):
        check_text(runner, name + " text", out)
        if "connections" in counts:
            m = re.search(rb"^(\d+) connections?\b", out, re.M)
            if not m or not count_ok(int(m.group(1)), counts["connections"]):
                runner.fail(name + " text", f"summary line does not say {counts['connections']} connections")
    report.append(line)


def file_case(runner, what, path, timeout=None):
    rc, out, err, _, _ = runner.run(["-r", path, "-F", "json"], what, timeout)
    if runner.check_exit(what, rc, err):
        load_json(runner, what, out)
    return rc


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--synfin", required=True)
    ap.add_argument("--testdata", default=os.path.join(REPO, "testdata"))
    ap.add_argument("--corpus", default=os.path.normpath(os.path.join(REPO, "..", "shared", "corpus", "tcpdump")))
    ap.add_argument("--no-corpus", action="store_true")
    ap.add_argument("--only", nargs="*", help="hostile cases to run (default: all)")
    ap.add_argument("--keep", help="write the hostile captures here and keep them")
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--mem-mib", type=int, default=2048)
    ap.add_argument("--asan-mem-factor", type=float, default=2.0)
    ap.add_argument("-j", type=int, default=2, help="parallel runs for the file lists (default 2)")
    a = ap.parse_args()

    synfin = os.path.abspath(a.synfin)
    sanitized = is_sanitized(synfin)
    runner = Runner(synfin, a.timeout, a.mem_mib, sanitized, a.asan_mem_factor)
    print(f"synfin: {synfin} ({'sanitizers' if sanitized else 'no sanitizers'}; memory "
          f"{'RSS measured' if sanitized else f'RLIMIT_AS {a.mem_mib} MiB'})", flush=True)

    names = a.only or list(hostile.GEN)
    report = []
    with tempfile.TemporaryDirectory(prefix="synfin-hostile-") as tmp:
        outdir = a.keep or tmp
        t0 = time.monotonic()
        paths = hostile.write(outdir, names)
        print(f"hostile: {len(paths)} captures written in {time.monotonic() - t0:.1f} s", flush=True)
        for name, path in zip(names, paths):
            before = len(runner.failures)
            hostile_case(runner, name, path, report)
            r = report[-1]
            times = " ".join(f"{k[:-2]} {v:.2f}s" for k, v in r.items() if k.endswith("_s"))
            status = "ok" if len(runner.failures) == before else "FAIL"
            print(f"  {status:4} {name:28} want {hostile.CASES[name]:6} exit {r['exit']}  {times}  "
                  f"max RSS {r['rss'] // 1024} MiB", flush=True)

    # Output safety: a file name with terminal escapes, invalid UTF-8 and a
    # newline must reach neither stderr nor the report raw.
    with tempfile.TemporaryDirectory(prefix="synfin-names-") as tmp:
        before = len(runner.failures)
        evil = os.path.join(os.fsencode(tmp), b"\x1b[31mred\x07\xff\xfe\xc3(\nline\x9b2J.pcap")
        with open(evil, "wb") as fh:
            fh.write(hostile.GEN["cut_in_record_body"]())  # exit 0 with a warning naming the file
        missing = os.path.join(os.fsencode(tmp), b"\x1b]0;title\x07missing\xff.pcap")
        for args, what, want in (([b"-F", b"json"], "json", 0), ([b"-F", b"jsonl"], "jsonl", 0),
                                 ([b"-F", b"text", b"-v"], "text", 0)):
            rc, out, err, _, _ = runner.run([b"-r", evil] + args, "hostile file name " + what)
            if runner.check_exit("hostile file name " + what, rc, err, (want,)):
                if what == "json":
                    doc = load_json(runner, "hostile file name json", out)
                    if doc is not None and "red" not in doc.get("input", {}).get("name", ""):
                        runner.fail("hostile file name json", "input.name does not hold the file name")
                elif what == "jsonl":
                    for ln in out.splitlines():
                        load_json(runner, "hostile file name jsonl", ln)
                else:
                    check_text(runner, "hostile file name text", out)
            if b"\x1b" in err or b"\xff" in err:
                runner.fail("hostile file name " + what, f"raw bytes of the name on stderr: {err!r}")
        rc, out, err, _, _ = runner.run([b"-r", missing, b"-F", b"json"], "missing hostile file name")
        runner.check_exit("missing hostile file name", rc, err, (2,))
        if b"\x1b" in err or b"\x07" in err or b"\xff" in err:
            runner.fail("missing hostile file name", f"raw bytes of the name on stderr: {err!r}")
        # The same for an interface name (no such interface: exit 2, one escaped line).
        iface = b"\x1b[31mev\x07il\xff\x9b"
        rc, out, err, _, _ = runner.run([b"-i", iface, b"--duration", b"1"], "hostile interface name")
        runner.check_exit("hostile interface name", rc, err, (2,))
        if any(b in err for b in (b"\x1b", b"\x07", b"\xff", b"\x9b")):
            runner.fail("hostile interface name", f"raw bytes of the name on stderr: {err!r}")
        print(f"hostile file and interface names: {len(runner.failures) - before} failures", flush=True)

    # Regression and error files: testdata/malformed, testdata/errors.
    listed = []
    for sub in ("malformed", "errors"):
        d = os.path.join(a.testdata, sub)
        if os.path.isdir(d):
            listed += [os.path.join(d, f) for f in sorted(os.listdir(d))
                       if not f.endswith(".md")]
    before = len(runner.failures)
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.j) as ex:
        list(ex.map(lambda p: file_case(runner, os.path.relpath(p, a.testdata), p), listed))
    print(f"testdata/malformed + errors: {len(listed)} files, "
          f"{len(runner.failures) - before} failures", flush=True)

    if not a.no_corpus and os.path.isdir(a.corpus):
        files = sorted(os.path.join(a.corpus, f) for f in os.listdir(a.corpus)
                       if f.endswith((".pcap", ".pcapng")))
        before = len(runner.failures)
        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=a.j) as ex:
            rcs = list(ex.map(lambda p: file_case(runner, "corpus/" + os.path.basename(p), p), files))
        print(f"corpus {a.corpus}: {len(files)} files ({rcs.count(0)} exit 0, {rcs.count(2)} exit 2) "
              f"in {time.monotonic() - t0:.1f} s, {len(runner.failures) - before} failures", flush=True)
    elif not a.no_corpus:
        print(f"corpus {a.corpus}: not found, skipped")

    print(f"{runner.runs} runs; peak RSS of one run {runner.peak_rss_kib // 1024} MiB")
    if runner.failures:
        print(f"\n{len(runner.failures)} FAILURES:")
        for f in runner.failures:
            print("  - " + f)
        return 1
    print("all hostile, malformed and corpus inputs handled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
