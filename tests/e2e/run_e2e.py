#!/usr/bin/env python3
"""End-to-end tests: run synfin on every testdata/<case>/ and on bad command lines.

    run_e2e.py --synfin build/synfin --testdata testdata [-k substring] [-v]

A case is a directory holding input.pcap or input.pcapng and expected.json,
with optional `args` (one line of extra command-line words, split like a
shell would) and `exit_code` (default 0). expected.json is a subset of
`synfin -r input -F json [args]`: every key it gives must be present and equal
(recursively); arrays must have the same length and match element by element;
numbers compare as numbers, floats within 1.5 microseconds (the contract asks
for microsecond precision or better). Each case is also run with -F jsonl,
-F text, -v and -q, which must exit the same way (jsonl lines must parse and
carry as many connections as the json report).

After the cases come the built-in command-line checks (exit codes, one-line
errors, stdin, -o, --check), which use testdata/errors/ and a few cases.
Prints `ok NAME` or `FAIL NAME: why` per check and ends with `N passed, N failed`.
Python 3 standard library only.
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

TIMEOUT = 30
FLOAT_TOL = 1.5e-6
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import craft  # noqa: E402

SANITIZER = re.compile(r"ERROR: AddressSanitizer|runtime error:|LeakSanitizer|Segmentation fault")


class Result:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, name):
        self.passed += 1
        print("ok " + name, flush=True)

    def fail(self, name, why):
        self.failed += 1
        print("FAIL %s: %s" % (name, why), flush=True)


def run(synfin, args, stdin=None, timeout=TIMEOUT):
    """Run synfin; return (exit code, stdout text, stderr text); exit code None on timeout."""
    try:
        p = subprocess.run([synfin] + args, input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout,
                           env=dict(os.environ, NO_COLOR="1"))
    except subprocess.TimeoutExpired:
        return None, "", "timeout after %d s" % timeout
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def subset_mismatch(exp, got, path="$"):
    """None when got contains exp; else a description of the first difference."""
    if isinstance(exp, dict):
        if not isinstance(got, dict):
            return "%s: expected an object, got %s" % (path, json.dumps(got))
        for key, val in exp.items():
            if key not in got:
                return "%s.%s: missing (expected %s)" % (path, key, json.dumps(val))
            why = subset_mismatch(val, got[key], "%s.%s" % (path, key))
            if why:
                return why
        return None
    if isinstance(exp, list):
        if not isinstance(got, list):
            return "%s: expected an array, got %s" % (path, json.dumps(got))
        if len(exp) != len(got):
            return "%s: expected %d elements, got %d: %s" % (
                path, len(exp), len(got), json.dumps(got)[:600])
        for i, (e, g) in enumerate(zip(exp, got)):
            why = subset_mismatch(e, g, "%s[%d]" % (path, i))
            if why:
                return why
        return None
    if is_number(exp) and is_number(got):
        if isinstance(exp, float) or isinstance(got, float):
            if abs(exp - got) <= FLOAT_TOL:
                return None
        elif exp == got:
            return None
        return "%s: expected %s, got %s" % (path, json.dumps(exp), json.dumps(got))
    if type(exp) is type(got) and exp == got:
        return None
    return "%s: expected %s, got %s" % (path, json.dumps(exp), json.dumps(got))


def stderr_lines(text):
    return [ln for ln in text.splitlines() if ln.strip()]


def sanitizer_trouble(err):
    m = SANITIZER.search(err)
    return m.group(0) if m else None


def find_input(d):
    for name in ("input.pcap", "input.pcapng"):
        p = os.path.join(d, name)
        if os.path.isfile(p):
            return p
    return None


def read_text(path, default=None):
    if not os.path.isfile(path):
        return default
    with open(path, encoding="utf-8") as f:
        return f.read()


# ---------------------------------------------------------------- report cases

def run_case(synfin, d, res):
    name = os.path.basename(d)
    inp = find_input(d)
    if inp is None:
        res.fail(name, "no input.pcap or input.pcapng")
        return
    try:
        with open(os.path.join(d, "expected.json"), encoding="utf-8") as f:
            expected = json.load(f)
    except (OSError, ValueError) as e:
        res.fail(name, "expected.json: %s" % e)
        return
    extra = shlex.split(read_text(os.path.join(d, "args"), ""))
    want_rc = int(read_text(os.path.join(d, "exit_code"), "0").strip() or "0")
    base = ["-r", inp]

    rc, out, err = run(synfin, base + ["-F", "json"] + extra)
    why = check_exit(rc, want_rc, err)
    if why:
        res.fail(name, "-F json: " + why)
        return
    try:
        report = json.loads(out)
    except ValueError as e:
        res.fail(name, "-F json: stdout is not JSON (%s): %r" % (e, out[:200]))
        return
    why = subset_mismatch(expected, report)
    if why:
        res.fail(name, why)
        return
    n_conns = len(report.get("connections", []))

    # the same input in the other formats and verbosities
    for fmt_args in (["-F", "jsonl"], ["-F", "text"], ["-F", "text", "-v"], ["-F", "text", "-q"]):
        label = " ".join(fmt_args)
        rc2, out2, err2 = run(synfin, base + fmt_args + extra)
        why = check_exit(rc2, want_rc, err2)
        if why:
            res.fail(name, "%s: %s" % (label, why))
            return
        if fmt_args[1] == "jsonl":
            why = check_jsonl(out2, n_conns)
            if why:
                res.fail(name, "-F jsonl: " + why)
                return
        elif not out2.strip():
            res.fail(name, "%s: empty report" % label)
            return
    res.ok(name)


def check_exit(rc, want, err):
    if rc is None:
        return "timed out"
    if rc < 0:
        return "killed by signal %d; stderr: %s" % (-rc, err.strip()[:300])
    bad = sanitizer_trouble(err)
    if bad:
        return "sanitizer: %s; stderr: %s" % (bad, err.strip()[:500])
    if rc != want:
        return "exit %d, expected %d; stderr: %s" % (rc, want, err.strip()[:300])
    return None


def check_jsonl(out, n_conns):
    lines = [ln for ln in out.splitlines() if ln.strip()]
    if not lines:
        return "no output"
    objs = []
    for i, ln in enumerate(lines, 1):
        try:
            objs.append(json.loads(ln))
        except ValueError as e:
            return "line %d is not JSON (%s): %r" % (i, e, ln[:200])
    if not isinstance(objs[-1], dict) or "summary" not in objs[-1] or "input" not in objs[-1]:
        return "last line has no summary and input: %r" % lines[-1][:200]
    conns = objs[:-1]
    if len(conns) != n_conns:
        return "%d connection lines, json report has %d" % (len(conns), n_conns)
    s = objs[-1]["summary"]
    if isinstance(s, dict) and s.get("connections") != n_conns:
        return "summary.connections is %r, json report has %d" % (s.get("connections"), n_conns)
    for i, c in enumerate(conns):
        if not isinstance(c, dict) or "id" not in c:
            return "line %d is not a connection object" % (i + 1)
    return None


# ---------------------------------------------------------------- command-line checks

def cli_checks(synfin, td, res, only):
    errors = os.path.join(td, "errors")

    def case_input(name):
        return find_input(os.path.join(td, name))

    def expect_error(name, args, stdin=None, want=2):
        if only and only not in name:
            return
        rc, out, err = run(synfin, args, stdin=stdin)
        why = check_exit(rc, want, err)
        if not why:
            lines = stderr_lines(err)
            if len(lines) != 1:
                why = "expected one stderr line, got %d: %r" % (len(lines), err[:300])
        if why:
            res.fail(name, why)
        else:
            res.ok(name)

    expect_error("cli/missing_file", ["-r", os.path.join(errors, "does-not-exist.pcap")])
    expect_error("cli/directory", ["-r", errors])
    expect_error("cli/empty_file", ["-r", os.path.join(errors, "empty.pcap")])
    expect_error("cli/not_a_capture", ["-r", os.path.join(errors, "not_a_capture.txt")])
    expect_error("cli/unsupported_linktype", ["-r", os.path.join(errors, "unsupported_linktype.pcap")])
    expect_error("cli/pcapng_mixed_linktypes", ["-r", os.path.join(errors, "pcapng_mixed_linktypes.pcapng")])
    four_way = case_input("four_way")
    expect_error("cli/bad_filter", ["-r", four_way, "tcp", "and", "and", "port"])
    expect_error("cli/unknown_option", ["-r", four_way, "--no-such-option"])
    expect_error("cli/bad_format", ["-r", four_way, "-F", "xml"])
    expect_error("cli/check_bogus", ["-r", four_way, "--check=bogus"])

    def named(name):
        return not only or only in name

    # stdin
    if named("cli/stdin"):
        with open(four_way, "rb") as f:
            data = f.read()
        rc, out, err = run(synfin, ["-r", "-", "-F", "json"], stdin=data)
        why = check_exit(rc, 0, err)
        if not why:
            why = json_subset_of_case(out, os.path.join(td, "four_way"))
        res.fail("cli/stdin", why) if why else res.ok("cli/stdin")

    # -o FILE
    if named("cli/output_file"):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "report.json")
            rc, out, err = run(synfin, ["-r", four_way, "-F", "json", "-o", path])
            why = check_exit(rc, 0, err)
            if not why:
                why = json_subset_of_case(read_text(path, ""), os.path.join(td, "four_way"))
            if not why and out.strip():
                why = "stdout not empty with -o: %r" % out[:200]
            res.fail("cli/output_file", why) if why else res.ok("cli/output_file")

    # a file cut in the middle of a packet: what came before, one warning
    if named("cli/truncated_file"):
        rc, out, err = run(synfin, ["-r", os.path.join(errors, "truncated.pcap"), "-F", "json"])
        why = check_exit(rc, 0, err)
        if not why:
            why = json_subset(out, {"summary": {"connections": 1},
                                    "connections": [{"first_frame": 1, "last_frame": 10,
                                                     "handshake": {"outcome": "complete"}}]})
        if not why and len(stderr_lines(err)) != 1:
            why = "expected one warning line on stderr, got %r" % err[:300]
        res.fail("cli/truncated_file", why) if why else res.ok("cli/truncated_file")

    # a record header claiming a huge length: no crash, exit 0 or 2
    if named("cli/huge_record"):
        rc, out, err = run(synfin, ["-r", os.path.join(errors, "huge_record.pcap"), "-F", "json"])
        why = check_exit(rc, rc if rc in (0, 2) else 0, err)
        if not why and rc == 2 and len(stderr_lines(err)) != 1:
            why = "expected one stderr line, got %r" % err[:300]
        res.fail("cli/huge_record", why) if why else res.ok("cli/huge_record")

    # TMPDIR names the directory of the temporary files; when none can be
    # made there, the same report comes from memory, with one warning
    if named("cli/tmpdir_unusable"):
        why = None
        for fmt in ("text", "json"):
            args = [synfin, "-r", four_way, "-F", fmt]
            env = dict(os.environ, NO_COLOR="1")
            want = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                  timeout=TIMEOUT)
            env["TMPDIR"] = "/nonexistent/synfin-e2e"
            got = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                 timeout=TIMEOUT)
            err = got.stderr.decode("utf-8", "replace")
            lines = stderr_lines(err)
            if got.returncode != 0 or got.stdout != want.stdout:
                why = "-F %s: exit %d, report %s" % (fmt, got.returncode,
                                                      "differs" if got.stdout != want.stdout else "same")
            elif fmt == "text" and (len(lines) != 1 or
                                    "cannot make a temporary file in /nonexistent/synfin-e2e" not in err):
                why = "-F text: expected one warning naming the directory, got %r" % err[:300]
            elif fmt == "json" and err.strip():
                why = "-F json: nothing waited, so no warning was due, got %r" % err[:300]
            if why:
                break
        res.fail("cli/tmpdir_unusable", why) if why else res.ok("cli/tmpdir_unusable")

    # --check
    def check(name, case, opt, want, failing_ids=()):
        if not named(name):
            return
        rc, out, err = run(synfin, ["-r", case_input(case), opt])
        why = check_exit(rc, want, err)
        lines = stderr_lines(err)
        if not why and want == 0 and lines:
            why = "--check passed but stderr has: %r" % err[:300]
        if not why and want == 1:
            if len(lines) != len(failing_ids):
                why = "expected %d stderr line(s), one per failing connection, got %r" % (
                    len(failing_ids), err[:400])
            else:
                for cid, ln in zip(failing_ids, lines):
                    if not re.search(r"(?<![\d.:])%d(?![\d.:])" % cid, ln):
                        why = "stderr line does not name connection id %d: %r" % (cid, ln)
                        break
        res.fail(name, why) if why else res.ok(name)

    check("cli/check_clean", "four_way", "--check", 0)
    check("cli/check_violation", "fin_bad_ack", "--check", 1, [0])
    check("cli/check_names_failing_id", "check_second_conn", "--check", 1, [1])
    check("cli/check_violations_explicit", "fin_bad_ack", "--check=violations", 1, [0])
    check("cli/check_handshake_no_reply", "no_reply", "--check=handshake", 1, [0])
    check("cli/check_handshake_complete", "four_way", "--check=handshake", 0)
    check("cli/check_close_half_closed", "half_closed", "--check=close", 1, [0])
    check("cli/check_close_four_way", "four_way", "--check=close", 0)
    check("cli/check_list", "half_closed", "--check=handshake,close", 1, [0])

    # -c N reports exactly what a file of the first N frames gives. The
    # frames reach the tracking thread in batches of 512, so the capture
    # (tests/tools/craft.py) runs past two batch boundaries, and N goes
    # around them.
    if named("cli/count_is_a_prefix"):
        why = count_prefix_check(synfin)
        res.fail("cli/count_is_a_prefix", why) if why else res.ok("cli/count_is_a_prefix")

    # --version / --help
    for name, args in (("cli/version", ["--version"]), ("cli/help", ["--help"])):
        if named(name):
            rc, out, err = run(synfin, args)
            why = check_exit(rc, 0, err)
            if not why and not (out.strip() or err.strip()):
                why = "printed nothing"
            res.fail(name, why) if why else res.ok(name)


def count_prefix_check(synfin):
    """-c N against a file of the first N frames, on 102 crafted connections (1,122 frames)."""
    cap = craft.Capture()
    for i in range(102):
        craft.standard(cap, cli=(craft.CLI4, 40000 + i))
    total = len(cap.frames)
    with tempfile.TemporaryDirectory() as tmp:
        whole = os.path.join(tmp, "whole.pcap")
        with open(whole, "wb") as f:
            f.write(cap.pcap_bytes())
        frames = cap.frames
        for n in (1, 2, 511, 512, 513, 1023, 1024, 1025, total - 1, total, total + 1):
            prefix = os.path.join(tmp, "prefix.pcap")
            cap.frames = frames[:n]
            with open(prefix, "wb") as f:
                f.write(cap.pcap_bytes())
            got = run(synfin, ["-r", whole, "-F", "json", "-c", str(n)])
            want = run(synfin, ["-r", prefix, "-F", "json"])
            if got[0] != 0 or want[0] != 0:
                return "-c %d: exit %d, the prefix file's %d" % (n, got[0], want[0])
            g, w = json.loads(got[1]), json.loads(want[1])
            if g["input"]["packets"] != min(n, total):
                return "-c %d: %d packets read" % (n, g["input"]["packets"])
            for doc in (g, w):
                del doc["input"]["name"]
            if g != w:
                return "-c %d of %d frames: the report differs from the first %d frames' own" % (n, total, n)
    return None


def json_subset(text, expected):
    try:
        report = json.loads(text)
    except ValueError as e:
        return "not JSON (%s): %r" % (e, text[:200])
    return subset_mismatch(expected, report)


def json_subset_of_case(text, case_dir):
    with open(os.path.join(case_dir, "expected.json"), encoding="utf-8") as f:
        return json_subset(text, json.load(f))


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description="synfin end-to-end tests")
    ap.add_argument("--synfin", required=True, help="path to the synfin binary")
    ap.add_argument("--testdata", required=True, help="the testdata directory")
    ap.add_argument("-k", default="", help="run only cases/checks whose name contains this")
    args = ap.parse_args()

    synfin = os.path.abspath(args.synfin)
    if not os.access(synfin, os.X_OK):
        print("FAIL setup: %s is not an executable" % synfin)
        print("0 passed, 1 failed")
        return 1
    td = os.path.abspath(args.testdata)
    res = Result()
    for entry in sorted(os.listdir(td)):
        d = os.path.join(td, entry)
        if not os.path.isfile(os.path.join(d, "expected.json")):
            continue
        if args.k and args.k not in entry:
            continue
        run_case(synfin, d, res)
    cli_checks(synfin, td, res, args.k)
    print("%d passed, %d failed" % (res.passed, res.failed))
    return 1 if res.failed or res.passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
