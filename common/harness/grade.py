#!/usr/bin/env python3
"""Grades a stage: runs its tests with CTest and gives points per lab (NN-stage/labs.toml; see
labs.py for the file and the markers). What `./workbook grade` runs once the stage is built.

    grade.py --root ROOT --build-dir BUILD --stage NN-name [--json FILE] [--junit FILE]
             [--build-log FILE] [--private-points N] [--exclude-label LABEL] [--expect full|partial]
    grade.py --root ROOT --build-dir BUILD --stage NN-name --check

Prints a table of points like xv6's `make grade`, one row per lab and one for the rest of the
stage (and one for a teacher's private tests, CTest tests <stage>/private/*). A group scores its
points times the share of its tests that pass; a failing test is listed under its group with its
verdict (the harness's `harness: VERDICT: reason` line, or the end of its output).

--build-log FILE says the build failed (FILE holds its output): no test runs, every group scores
0 and gives the build's errors as the reason. --json writes Gradescope's results.json (score,
max_score, tests[] with name, score, max_score, output); --junit writes JUnit XML, one testcase
per group, for GitHub Classroom and GitLab. --exclude-label leaves tests with that label out (a
group left with no test then drops out of the maximum too). --expect makes the exit status say
whether the score is full (full) or above 0 and below full (partial), for the kit's own tests.

--check grades nothing: it checks labs.toml and the stage's lab markers against the tests CTest
knows (every lab pattern matches a test, every test is counted, every lab has a marker region
with a stub that panics naming it). The CTest test <stage>/labs_cover_tests runs it.

Exit status: 0 on full marks (or as --expect asks, or a clean --check), 1 otherwise, 2 when
labs.toml or the markers are broken.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import labs  # noqa: E402

PRIVATE_PATTERN = "private/*"
VERDICT_RE = re.compile(r"^harness: ([A-Z][A-Z ]+): (.*)$", re.M)


@dataclass
class Outcome:
    passed: bool
    reason: str       # one line: why it failed ("" when it passed)
    output: str       # the test's output (trimmed)


@dataclass
class Result:
    name: str
    title: str
    points: int
    tests: list[str]
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    @property
    def passed(self) -> int:
        return sum(1 for t in self.tests if self.outcomes[t].passed)

    @property
    def score(self) -> float:
        if not self.tests:
            return 0.0
        return round(self.points * self.passed / len(self.tests), 2)


def ctest_tests(build_dir: str, stage: str, exclude_label: list[str]) -> list[tuple[str, list[str]]]:
    """(short name, labels) of each test labeled with the stage, as CTest lists them."""
    argv = ["ctest", "--test-dir", build_dir, "--show-only=json-v1", "-L", f"^{re.escape(stage)}$"]
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"grade: ctest could not list the tests of {stage} in {build_dir}:\n{r.stderr}")
    found = []
    for t in json.loads(r.stdout).get("tests", []):
        name = t["name"]
        if not name.startswith(stage + "/"):
            continue
        props = {p["name"]: p["value"] for p in t.get("properties", [])}
        labels = props.get("LABELS", [])
        if any(label in labels for label in exclude_label):
            continue
        found.append((name[len(stage) + 1:], labels))
    return found


def reason_of(output: str, status: str) -> str:
    verdicts = VERDICT_RE.findall(output)
    panics = re.findall(r"PANIC at (\S+: .*)$", output, re.M)
    if verdicts:
        kind, message = verdicts[-1]
        message = message.strip().split("\n")[0]
        # A kernel that panicked before its first test reports a failure with no test's name:
        # the panic message is the reason worth showing.
        if panics and panics[-1] not in message:
            message = (f"panic: {panics[-1].strip()}" if "'[failed]'" in message
                       else f"{message} (panic: {panics[-1].strip()})")
        return f"{kind}: {message}"[:300]
    gtest = [t for t in re.findall(r"^\[  FAILED  \] (\S+)", output, re.M) if not t.isdigit()]
    if gtest:
        return "failed: " + ", ".join(dict.fromkeys(gtest))
    if "Timeout" in status:
        return "HANG: CTest's timeout ended the test"
    lines = [line.strip() for line in output.strip().split("\n") if line.strip()]
    return (lines[-1] if lines else status)[:300]


def run_ctest(build_dir: str, stage: str, names: list[str], jobs: int) -> dict[str, Outcome]:
    """Runs the named tests of the stage (short names) and returns their outcomes."""
    outcomes: dict[str, Outcome] = {}
    if not names:
        return outcomes
    with tempfile.TemporaryDirectory(prefix="workbook-grade-") as tmp:
        junit = os.path.join(tmp, "ctest.xml")
        regex = "^(" + "|".join(re.escape(f"{stage}/{n}") for n in names) + ")$"
        argv = ["ctest", "--test-dir", build_dir, "-R", regex, "-j", str(jobs), "--no-tests=error",
                "--output-junit", junit, "--test-output-size-failed", "20000",
                "--test-output-size-passed", "4000"]
        print("+ " + " ".join(argv[:3]) + f" -R <{len(names)} tests of {stage}> -j {jobs}", flush=True)
        env = dict(os.environ, WORKBOOK_BUILT="1")  # built already: the build fixture has nothing to do
        r = subprocess.run(argv, env=env, capture_output=True, text=True)
        summary = [line for line in r.stdout.split("\n") if "tests passed" in line]
        if summary:
            print("  ctest: " + summary[-1].strip(), flush=True)
        try:
            tree = ET.parse(junit)
        except (OSError, ET.ParseError) as e:
            raise SystemExit(f"grade: ctest wrote no readable results ({e}):\n{r.stdout[-2000:]}{r.stderr}")
    for case in tree.getroot().iter("testcase"):
        full = case.get("name", "")
        if not full.startswith(stage + "/"):
            continue
        short = full[len(stage) + 1:]
        status = case.get("status", "")
        out = "".join(e.text or "" for e in case.iter("system-out"))
        failure = case.find("failure")
        passed = status == "run" and failure is None
        why = ""
        if not passed:
            why = reason_of(out, (failure.get("message", "") if failure is not None else "") + " " + status)
            if status in ("notrun", "disabled") and not out.strip():
                why = "not run (its program was not built?)"
        outcomes[short] = Outcome(passed, why, out.strip()[-4000:])
    for n in names:
        outcomes.setdefault(n, Outcome(False, "CTest did not report this test", ""))
    return outcomes


def build_failure(log_path: str, root: str) -> Outcome:
    try:
        with open(log_path, errors="replace") as f:
            text = f.read()
    except OSError:
        text = ""
    errors = [line for line in text.split("\n") if re.search(r"error[:\]]|FAILED:|Error ", line)]
    shown = "\n".join((errors or text.strip().split("\n"))[-15:])
    # The compiler's (or linker's) first error says more than Ninja's FAILED: line.
    compiler = [line for line in errors if re.search(r"error:", line)]
    first = (compiler or errors or ["see the build output"])[0].strip()
    first = first.replace(os.path.abspath(root) + "/", "")
    return Outcome(False, f"BUILD FAILED: {first[:200]}", shown)


def table(results: list[Result], stage: str) -> str:
    """One row per group: name, OK or FAIL, points, tests passed, title; then each failing test
    with its reason; then the score."""
    name_width = max(len(r.name) for r in results)
    lines = [f"== grade {stage} =="]
    for r in results:
        ok = bool(r.tests) and r.passed == len(r.tests)
        points = f"{r.score:g}/{r.points}"
        lines.append(f"{r.name:<{name_width}}  {'OK  ' if ok else 'FAIL'}  {points:>9}  "
                     f"{r.passed:>3}/{len(r.tests):<3} tests  {r.title}")
        failing = [t for t in r.tests if not r.outcomes[t].passed]
        reasons = {r.outcomes[t].reason for t in failing}
        if len(failing) > 1 and len(reasons) == 1:  # a build failure: one reason for all
            lines.append(f"    all {len(failing)} failing tests: {reasons.pop()}")
        else:
            lines += [f"    {t}: {r.outcomes[t].reason}" for t in failing]
    score = sum(r.score for r in results)
    total = sum(r.points for r in results)
    lines.append(f"Score: {score:g}/{total}")
    return "\n".join(lines)


def group_output(r: Result) -> str:
    rows = [f"{r.passed} of {len(r.tests)} tests pass"]
    for t in r.tests:
        o = r.outcomes[t]
        rows.append(f"  {'pass' if o.passed else 'FAIL'}  {t}" + ("" if o.passed else f": {o.reason}"))
    failing = [(t, r.outcomes[t]) for t in r.tests if not r.outcomes[t].passed and r.outcomes[t].output]
    for t, o in failing[:3]:
        rows.append(f"\n--- {t} ---\n{o.output[-1500:]}")
    return "\n".join(rows)


def write_json(path: str, results: list[Result]) -> None:
    data = {
        "score": round(sum(r.score for r in results), 2),
        "max_score": sum(r.points for r in results),
        "tests": [{"name": f"{r.name}: {r.title}", "score": r.score, "max_score": r.points,
                   "output": group_output(r)} for r in results],
    }
    with open(path, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")


def write_junit(path: str, results: list[Result], stage: str) -> None:
    suite = ET.Element("testsuite", name=stage, tests=str(len(results)),
                       failures=str(sum(1 for r in results if r.score < r.points)))
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=stage, name=r.name)
        case.set("points", f"{r.score:g}/{r.points}")
        if r.score < r.points:
            failure = ET.SubElement(case, "failure", message=f"{r.score:g} of {r.points} points: "
                                    f"{len(r.tests) - r.passed} of {len(r.tests)} tests fail")
            failure.text = group_output(r)
        ET.SubElement(case, "system-out").text = group_output(r)
    root = ET.Element("testsuites", name=f"grade {stage}")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", required=True, help="the repository (or handout) root")
    p.add_argument("--build-dir", required=True)
    p.add_argument("--stage", required=True, help="the stage directory name, e.g. 05-exceptions")
    p.add_argument("--json", metavar="FILE")
    p.add_argument("--junit", metavar="FILE")
    p.add_argument("--build-log", metavar="FILE", help="the build failed; FILE holds its output")
    p.add_argument("--private-points", type=int, default=0, metavar="N",
                   help="points of the private tests' group (0: one per test)")
    p.add_argument("--exclude-label", action="append", default=[], metavar="LABEL")
    p.add_argument("--expect", choices=["full", "partial"])
    p.add_argument("--check", action="store_true", help="check labs.toml and the markers only")
    p.add_argument("--jobs", type=int, default=max(1, len(os.sched_getaffinity(0))))
    a = p.parse_args()

    stage_dir = os.path.join(a.root, a.stage)
    try:
        groups = labs.load_groups(stage_dir)
        # The markers matter to the kit's own check, not to a grade: a student's tree is graded
        # by its tests whatever became of the marker lines.
        marker_problems = labs.check_markers(a.root, a.stage, groups) if a.check else []
    except labs.LabsError as e:
        print(f"grade: {e}", file=sys.stderr)
        return 2
    listed = ctest_tests(a.build_dir, a.stage, a.exclude_label)
    names = [n for n, _ in listed]
    private = [n for n in names if labs.fnmatch.fnmatchcase(n, PRIVATE_PATTERN)]
    stage_tests = [n for n in names if n not in private]
    counted, problems = labs.assign(groups, stage_tests)
    if a.exclude_label:
        # Patterns may name tests that the excluded labels took away: not a broken labs.toml.
        problems = [q for q in problems if "matches no test" not in q and "counts nothing" not in q]
    problems += marker_problems
    if problems:
        print(f"grade: {a.stage}/labs.toml does not fit the stage:\n  " + "\n  ".join(problems),
              file=sys.stderr)
        return 2
    if a.check:
        graded = sum(len(v) for v in counted.values())
        regions = labs.stage_regions(stage_dir)
        for g in groups:
            extra = "" if g.rest else f", {sum(1 for r in regions if r.lab == g.name)} marked region(s)"
            print(f"{g.name}: {g.points} points, {len(counted[g.name])} tests{extra}")
        print(f"{a.stage}/labs.toml: {len(groups)} groups, {sum(g.points for g in groups)} points, "
              f"all {graded} graded tests counted")
        return 0

    results = [Result(g.name, g.title, g.points, counted[g.name]) for g in groups]
    results = [r for r in results if r.tests or not a.exclude_label]
    if private:
        results.append(Result("private", "The teacher's private tests", a.private_points or len(private),
                              private))
    wanted = [t for r in results for t in r.tests]
    if a.build_log:
        failed = build_failure(a.build_log, a.root)
        outcomes = {t: failed for t in wanted}
    else:
        outcomes = run_ctest(a.build_dir, a.stage, list(dict.fromkeys(wanted)), a.jobs)
    for r in results:
        r.outcomes = {t: outcomes[t] for t in r.tests}
    print(table(results, a.stage))
    if a.json:
        write_json(a.json, results)
        print(f"grade: wrote {a.json} (Gradescope results.json)")
    if a.junit:
        write_junit(a.junit, results, a.stage)
        print(f"grade: wrote {a.junit} (JUnit XML)")
    score, total = sum(r.score for r in results), sum(r.points for r in results)
    if a.expect == "partial":
        ok = 0 < score < total
        print(f"grade: expected a score above 0 and below {total}: {'yes' if ok else 'no'} ({score:g})")
        return 0 if ok else 1
    return 0 if score == total else 1


if __name__ == "__main__":
    sys.exit(main())
