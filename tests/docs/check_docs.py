#!/usr/bin/env python3
"""Check that man/synfin.1 and `synfin --help` document what the code defines.

    check_docs.py --synfin build/synfin --root .

Names are read from the sources, so a new option, code or state that is not
documented fails the test:

  * every long option of src/cli.c's long_options[] table and every short
    option letter of its getopt_long() option string appears in the man page
    and in `synfin --help`;
  * every violation code (src/violation.c), handshake/teardown outcome, roles
    value and end reason (src/conn.c), skip reason (src/decode.c), endpoint
    state (src/tcp_state.c) and Zeek conn_state (src/zeek.c) appears in the
    man page;
  * every JSON key src/report_json.c writes (the second argument of a call
    that writes a member: KEY(w, "k"), U64(w, "k", v), set(obj, "k", v))
    appears in the man page;
  * the defaults of --idle-timeout, --settle, --max-flows, -s and -B given in
    include/synfin/flow.h and capture.h are the ones the man page states, and
    the ones `synfin --help` states (all but -s, whose help says "headers
    only");
  * `mandoc -Tlint -Wall` reports nothing but "referenced manual not found"
    (which depends on the manuals installed), when mandoc is installed.

The man page is searched as rendered by `mandoc -Tascii` (overstrike removed);
without mandoc, in its source with roff escapes for the hyphen undone.
Prints `ok NAME` or `FAIL NAME: why` per check and ends with
`N passed, N failed`; exits 1 on any failure. Python 3 standard library only.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

TIMEOUT = 30
# mandoc -Tlint messages that depend on the machine, not on the page.
LINT_IGNORE = re.compile(r"referenced manual not found|outdated mandoc\.db|makewhatis")


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

    def check(self, name, cond, why):
        if cond:
            self.ok(name)
        else:
            self.fail(name, why)


def read(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return f.read()


def table_body(src, start_re, what):
    """Text of the C initializer that follows start_re, up to its closing '};'."""
    m = re.search(start_re, src)
    if not m:
        raise SystemExit("check_docs: cannot find %s" % what)
    end = src.find("};", m.end())
    if end < 0:
        raise SystemExit("check_docs: %s has no end" % what)
    return src[m.end():end]


# ---- names from the sources ------------------------------------------------

def long_options(root):
    body = table_body(read(root, "src/cli.c"), r"struct\s+option\s+long_options\[\]\s*=\s*\{",
                      "long_options[] in src/cli.c")
    names = re.findall(r'\{\s*"([A-Za-z0-9-]+)"\s*,', body)
    if not names:
        raise SystemExit("check_docs: no long options found in src/cli.c")
    return names


def short_options(root):
    m = re.search(r'getopt_long\s*\([^,]+,[^,]+,\s*"([^"]*)"', read(root, "src/cli.c"))
    if not m:
        raise SystemExit("check_docs: no getopt_long() option string in src/cli.c")
    letters = [c for c in m.group(1) if c.isalnum()]
    if not letters:
        raise SystemExit("check_docs: empty option string in src/cli.c")
    return letters


def name_table(root, rel, array, skip=()):
    """String values of a designated-initializer name table: [ENUM] = "name"."""
    body = table_body(read(root, rel), r"\b%s\s*\[\]\s*=\s*\{" % re.escape(array),
                      "%s in %s" % (array, rel))
    names = re.findall(r'\[\s*\w+\s*\]\s*=\s*\{?\s*"([^"]+)"', body)
    if not names:
        raise SystemExit("check_docs: no names in %s (%s)" % (array, rel))
    return [n for n in names if n not in skip]


def zeek_conn_states(root):
    src = read(root, "src/zeek.c")
    m = re.search(r"sf_zeek_conn_state\s*\([^)]*\)\s*\{", src)
    if not m:
        raise SystemExit("check_docs: sf_zeek_conn_state() not found in src/zeek.c")
    end = src.find("\n}", m.end())
    names = sorted(set(re.findall(r'"([A-Z0-9]+)"', src[m.end():end])))
    if not names:
        raise SystemExit("check_docs: no conn_state values in src/zeek.c")
    return names


def json_keys(root):
    src = read(root, "src/report_json.c")
    # An object member is written by a call whose second argument is the key:
    # KEY(w, "rtt") (a name with "key" in it), or the key followed by its
    # value, U64(w, "id", c->id), STR(w, ...), jansson's set(obj, "id", ...).
    # A value alone, sf_jw_str(w, "both"), is not a key.
    keys = set()
    for fn, key, nxt in re.findall(r'\b(\w+)\s*\(\s*&?\w+\s*,\s*"([a-z_]+)"\s*([,)])', src):
        if nxt == "," or "key" in fn.lower():
            keys.add(key)
    # the document's top-level keys are written as literal text
    keys.update(re.findall(r'\\"([a-z_]+)\\":', src))
    # a connection object alone has some 40 keys: far fewer means the writer
    # changed its calls and this parser no longer sees them
    if len(keys) < 30:
        raise SystemExit("check_docs: only %d JSON keys found in src/report_json.c (%s): "
                         "update json_keys() for the JSON writer" % (len(keys), ", ".join(sorted(keys))))
    return sorted(keys)


# option -> (header, macro) whose value the option's entry must give as its default
DEFAULTS = [
    ("--idle-timeout", "include/synfin/flow.h", "SF_FLOW_DEFAULT_IDLE"),
    ("--settle", "include/synfin/flow.h", "SF_FLOW_DEFAULT_SETTLE"),
    ("--max-flows", "include/synfin/flow.h", "SF_FLOW_DEFAULT_MAX"),
    ("-s", "include/synfin/capture.h", "SF_CAPTURE_DEFAULT_SNAPLEN"),
    ("-B", "include/synfin/capture.h", "SF_CAPTURE_DEFAULT_BUFFER_KIB"),
]
# the options whose `synfin --help` line states the default (-s says "headers only")
HELP_DEFAULTS = ("--idle-timeout", "--settle", "--max-flows", "-B")


def default_value(root, rel, macro):
    m = re.search(r"#define\s+%s\s+([0-9.]+)" % re.escape(macro), read(root, rel))
    if not m:
        raise SystemExit("check_docs: %s not found in %s" % (macro, rel))
    return "%g" % float(m.group(1))


# ---- the documents -----------------------------------------------------------

def strip_overstrike(text):
    return re.sub(r".\x08", "", text)


def man_text(root, mandoc):
    path = os.path.join(root, "man", "synfin.1")
    if mandoc:
        p = subprocess.run([mandoc, "-Tascii", "-Owidth=200", path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=TIMEOUT)
        if p.returncode == 0:
            return strip_overstrike(p.stdout.decode("utf-8", "replace")), "rendered"
    with open(path, encoding="utf-8") as f:
        src = f.read()
    # undo the escapes a name may be written with; ".Fl x" is "-x"
    src = src.replace("\\-", "-").replace("\\&", "").replace("\\e", "\\")
    src = re.sub(r"\bFl\s+(?=\S)", "-", src)
    return src, "source"


def help_text(synfin):
    p = subprocess.run([synfin, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def has_long(text, name):
    return re.search(r"(?<![\w-])--%s(?![\w-])" % re.escape(name), text) is not None


def has_short(text, letter):
    return re.search(r"(?<![\w-])-%s(?![\w-])" % re.escape(letter), text) is not None


def has_word(text, word):
    return re.search(r"(?<![\w])%s(?![\w])" % re.escape(word), text) is not None


# ---- checks ------------------------------------------------------------------

def check_names(res, kind, names, text, where):
    missing = [n for n in names if not has_word(text, n)]
    res.check("%s in %s (%d)" % (kind, where, len(names)), not missing,
              "not documented: " + ", ".join(missing))


def check_defaults(res, root, man, where):
    for opt, rel, macro in DEFAULTS:
        value = default_value(root, rel, macro)
        name = "default of %s (%s) in %s" % (opt, value, where)
        # the option's own entry: a line that starts with it (".It -x" in the source)
        m = re.search(r"^(?:\.It\s+|[ \t]+)%s(?![\w-])" % re.escape(opt), man, re.M)
        if not m:
            res.fail(name, "no entry for %s" % opt)
            continue
        entry = man[m.end():m.end() + 1200]
        entry = re.split(r"\n\.It\s|\n[ \t]{1,6}-", entry)[0]
        res.check(name, re.search(r"[Dd]efault\W{0,3}%s(?![\d.])" % re.escape(value), entry),
                  "the entry does not say 'default %s'" % value)


def check_help_defaults(res, root, usage):
    for opt, rel, macro in DEFAULTS:
        if opt not in HELP_DEFAULTS:
            continue
        value = default_value(root, rel, macro)
        name = "default of %s (%s) in --help" % (opt, value)
        # the option's line ("  -B, --buffer-size KIB ..." or "      --settle SECS ...")
        # and the lines that continue it (indented, not starting with an option)
        lines = usage.splitlines()
        at = [i for i, l in enumerate(lines)
              if re.match(r"\s+(?:-\w, )?%s(?![\w-])" % re.escape(opt), l)
              or re.match(r"\s+%s,\s" % re.escape(opt), l)]
        if not at:
            res.fail(name, "no line for %s" % opt)
            continue
        entry = [lines[at[0]]]
        for l in lines[at[0] + 1:]:
            if not l.strip() or re.match(r"\s*-", l):
                break
            entry.append(l)
        res.check(name, re.search(r"[Dd]efault\W{0,3}%s(?![\d.])" % re.escape(value), " ".join(entry)),
                  "the help line does not say 'default %s': %s" % (value, " / ".join(entry)))


def check_lint(res, root, mandoc):
    if not mandoc:
        print("skip mandoc -Tlint: mandoc is not installed", flush=True)
        return
    path = os.path.join(root, "man", "synfin.1")
    p = subprocess.run([mandoc, "-Tlint", "-Wall", path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=TIMEOUT)
    out = (p.stdout + p.stderr).decode("utf-8", "replace")
    # mandoc ends some messages without a newline; split on its prefix too
    msgs = [m.strip() for m in re.split(r"\n|(?=mandoc: )", out) if m.strip()]
    bad = [m for m in msgs if not LINT_IGNORE.search(m)]
    res.check("mandoc -Tlint -Wall man/synfin.1", not bad, "; ".join(bad))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--synfin", required=True, help="the synfin binary")
    ap.add_argument("--root", required=True, help="the source tree (holds src/ and man/)")
    args = ap.parse_args()
    root = args.root
    res = Result()

    mandoc = shutil.which("mandoc")
    man, how = man_text(root, mandoc)
    rc, usage = help_text(args.synfin)
    res.check("synfin --help exits 0", rc == 0, "exit status %s" % rc)

    longs = long_options(root)
    shorts = short_options(root)
    where = "man page (%s)" % how
    for text, place in ((man, where), (usage, "--help")):
        missing = [n for n in longs if not has_long(text, n)]
        res.check("long options in %s (%d)" % (place, len(longs)), not missing,
                  "not documented: " + ", ".join("--" + n for n in missing))
        missing = [c for c in shorts if not has_short(text, c)]
        res.check("short options in %s (%d)" % (place, len(shorts)), not missing,
                  "not documented: " + ", ".join("-" + c for c in missing))

    check_names(res, "violation codes", name_table(root, "src/violation.c", "violation_table"),
                man, where)
    check_names(res, "handshake outcomes", name_table(root, "src/conn.c", "hs_outcome_names"),
                man, where)
    check_names(res, "teardown outcomes", name_table(root, "src/conn.c", "td_outcome_names"),
                man, where)
    check_names(res, "roles", name_table(root, "src/conn.c", "roles_names"), man, where)
    check_names(res, "end reasons", name_table(root, "src/conn.c", "end_reason_names"),
                man, where)
    check_names(res, "skip reasons",
                name_table(root, "src/decode.c", "skip_names", skip=("none",)), man, where)
    check_names(res, "endpoint states", name_table(root, "src/tcp_state.c", "tcp_state_names"),
                man, where)
    check_names(res, "zeek conn_state values", zeek_conn_states(root), man, where)
    check_names(res, "JSON keys", json_keys(root), man, where)

    check_defaults(res, root, man, where)
    check_help_defaults(res, root, usage)
    check_lint(res, root, mandoc)

    print("%d passed, %d failed" % (res.passed, res.failed), flush=True)
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
