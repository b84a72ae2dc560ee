#!/usr/bin/python3
"""results.py - judge one tempest run (a subunit v2 stream) against the
suite's expectation files, in the project's test format.

    results.py SUITE SUBUNIT_FILE EXPECTED_FILE FAILING_FILE [REGEX]

EXPECTED_FILE lists, one a line, the ids of the tests that must pass (ids
without tempest's "[id-...,smoke]" attributes). FAILING_FILE lists the tests
that fail today, "ID REASON", under "## GROUP" headers (the issue that will
fix them). '#' lines and blank lines are comments in both.

  * a listed test that does not pass (fails, is skipped, or never ran
    because its class set-up failed or the run was cut short) is a failure;
  * a class whose set-up/tear-down fails is a failure when it holds a
    listed test (tear-down failures mean keygate refused a clean-up),
    unless FAILING_FILE lists it as "CLASS.setUpClass" or
    "CLASS.tearDownClass" with its reason;
  * a test that passes but is not listed is reported ("NOTE now passes"),
    so the list can be tightened, and does not fail the run;
  * a test that fails and is in neither file is reported as unclassified.

With REGEX (tempest.sh's TEMPEST_REGEX), only listed ids matching it
(re.search on the id without attributes) are expected to have run.
With TEMPEST_UPDATE=1 in the environment the files are rewritten: passing
tests join EXPECTED_FILE and leave FAILING_FILE; new failures are appended
to FAILING_FILE under "## unclassified" with their error, to be sorted.

Prints FAIL/NOTE lines and ends with "N passed, N failed" (N passed counts
listed tests that passed). Exit status 0 when nothing failed.
"""
import os
import re
import sys

import subunit
import testtools

ATTRS = re.compile(r"\[[^\]]*\]$")
FIXTURE = re.compile(r"^(setUpClass|tearDownClass) \((.+)\)$")


def bare(test_id):
    return ATTRS.sub("", test_id)


def read_stream(path):
    """{id: (status, one-line reason)} from a subunit v2 file."""
    out = {}

    def on_test(t):
        out[t["id"]] = (t["status"], reason_of(t))

    with open(path, "rb") as f:
        stream = subunit.ByteStreamToStreamResult(f, non_subunit_name="stdout")
        result = testtools.StreamToDict(on_test)
        result.startTestRun()
        try:
            stream.run(result)
        finally:
            result.stopTestRun()
    return out


def reason_of(t):
    """The exception line of a failure (or a skip's reason), one line."""
    details = t.get("details") or {}
    for key in ("traceback", "reason"):
        if key in details:
            try:
                text = details[key].as_text()
            except Exception:  # a detail we cannot decode
                continue
            lines = [l for l in text.strip().splitlines() if l.strip()]
            if not lines:
                continue
            # the last "package.Exception: message" line of the traceback
            pick = len(lines) - 1
            for i, l in enumerate(lines):
                if re.match(r"^[A-Za-z_][\w.]*(Error|Exception|Forbidden|NotFound|"
                            r"Unauthorized|BadRequest|Conflict|Fault)\b", l):
                    pick = i
            msg = " ".join(lines[pick:pick + 2])
            msg = re.sub(r" object at 0x[0-9a-f]+", "", msg)
            return msg[:240]
    return ""


def read_list(path):
    ids = []
    if not os.path.exists(path):
        return ids
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                ids.append(line.split()[0])
    return ids


def read_failing(path, errors):
    """{id: (group, reason)}; malformed lines go to errors."""
    out = {}
    group = None
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("## "):
                group = line[3:].strip()
                continue
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            if group is None or len(parts) < 2 or not parts[1].strip():
                errors.append("%s:%d: want 'ID REASON' under a '## GROUP' "
                              "header" % (path, n))
                continue
            if parts[0] in out:
                errors.append("%s:%d: %s listed twice" % (path, n, parts[0]))
            out[parts[0]] = (group, parts[1].strip())
    return out


def class_of(test_id):
    return test_id.rsplit(".", 1)[0]


def main():
    suite, stream_path, exp_path, fail_path = sys.argv[1:5]
    regex = re.compile(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[5] else None
    errors = []
    expected = read_list(exp_path)
    failing = read_failing(fail_path, errors)
    exp_set = set(expected)
    if len(exp_set) != len(expected):
        errors.append("%s lists a test twice" % exp_path)
    for i in sorted(exp_set & set(failing)):
        errors.append("%s is both expected to pass and listed as failing" % i)

    raw = read_stream(stream_path) if os.path.getsize(stream_path) else {}
    results = {}     # bare id -> (status, reason)
    fixtures = {}    # class -> (kind, status, reason)
    for tid, (status, why) in raw.items():
        m = FIXTURE.match(tid)
        if m:
            fixtures[m.group(2)] = (m.group(1), status, why)
            continue
        results[bare(tid)] = (status, why)

    def selected(i):
        return regex is None or regex.search(i)

    passed = failed = 0
    lines = []
    exp_classes = set()
    for i in expected:
        if not selected(i):
            continue
        exp_classes.add(class_of(i))
        status, why = results.get(i, ("not run", ""))
        if status == "success":
            passed += 1
            continue
        failed += 1
        if status == "not run" or status == "exists":
            fx = fixtures.get(class_of(i))
            if fx and fx[1] == "fail" and fx[0] == "setUpClass":
                why = "class set-up failed: " + fx[2]
            else:
                why = "did not run (timed out, or the test is gone)"
        lines.append("FAIL %s %s: %s" % (suite, i, why or status))
    for cls, (kind, status, why) in sorted(fixtures.items()):
        # FAILING_FILE may list a class fixture as "CLASS.tearDownClass"
        if status == "fail" and cls in exp_classes and \
                "%s.%s" % (cls, kind) not in failing:
            failed += 1
            lines.append("FAIL %s %s (%s): %s" % (suite, cls, kind, why))
    for e in errors:
        failed += 1
        lines.append("FAIL %s expectation files: %s" % (suite, e))

    now_pass = sorted(i for i, (s, _) in results.items()
                      if s == "success" and i not in exp_set)
    # tests that failed, or never ran because their class set-up failed
    for i, (status, why) in list(results.items()):
        fx = fixtures.get(class_of(i))
        if status != "fail" and status != "success" and status != "skip" and \
                fx and fx[0] == "setUpClass" and fx[1] == "fail":
            results[i] = ("fail", "class set-up failed: " + fx[2])
    unclassified = sorted(i for i, (s, _) in results.items()
                          if s == "fail" and i not in exp_set and i not in failing)
    known = sum(1 for i in failing if selected(i))
    for i in now_pass:
        lines.append("NOTE %s now passes, not in %s: %s" %
                     (suite, os.path.basename(exp_path), i))
    for i in unclassified:
        lines.append("NOTE %s fails, unclassified: %s: %s" % (suite, i, results[i][1]))

    for l in lines:
        print(l)
    skipped = sum(1 for s, _ in results.values() if s == "skip")
    print("%s: %d listed tests passed, %d failed; %d known failures listed; "
          "%d skipped; %d passing but unlisted; %d unclassified failures"
          % (suite, passed, failed, known, skipped, len(now_pass), len(unclassified)))

    if os.environ.get("TEMPEST_UPDATE") == "1":
        update(exp_path, fail_path, expected, now_pass, unclassified, results)
        print("%s: updated %s and %s" % (suite, exp_path, fail_path))

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def update(exp_path, fail_path, expected, now_pass, unclassified, results):
    """Passing tests join the expected list and leave the failing list; new
    failures are appended under '## unclassified'."""
    keep_header = []
    if os.path.exists(exp_path):
        with open(exp_path) as f:
            keep_header = [l for l in f if l.startswith("#")]
    with open(exp_path, "w") as f:
        f.writelines(keep_header)
        for i in sorted(set(expected) | set(now_pass)):
            f.write(i + "\n")
    passing = set(now_pass)
    out = []
    if os.path.exists(fail_path):
        with open(fail_path) as f:
            for line in f:
                parts = line.split(None, 1)
                if parts and parts[0] in passing:
                    continue
                out.append(line)
    if unclassified:
        if out and out[-1].strip():
            out.append("\n")
        out.append("## unclassified (new failures: classify them)\n")
        for i in unclassified:
            out.append("%s %s\n" % (i, results[i][1] or "fails"))
    with open(fail_path, "w") as f:
        f.writelines(out)


if __name__ == "__main__":
    sys.exit(main())
