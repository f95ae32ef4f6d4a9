#!/usr/bin/env python3
"""The classroom kit on autograding services: a Gradescope autograder bundle and a GitHub
Classroom workflow for a stage's handout (`./workbook handout STAGE --to DIR --autograder
gradescope|github`), and what those run when a student submits.

    autograder.py gradescope-run              what the bundle's run_autograder runs
    autograder.py github-step --stage NN-name what the workflow's grading step runs
    autograder.py check --root ROOT --stage NN-name --work DIR
                                              the CTest <stage>/autograder_gradescope

gradescope-run grades one submission the way Gradescope lays it out: the bundle unpacked in
/autograder/source (the pristine handout in tree/, autograder.json naming the stage and its
labs), the student's files in /autograder/submission, the result in
/autograder/results/results.json. The environment variables AUTOGRADER_SOURCE,
AUTOGRADER_SUBMISSION, AUTOGRADER_RESULTS and AUTOGRADER_WORK (default /autograder/work, where
the tree is graded) move those directories; the bundle's autograder.json says how long the
whole grade may take (timeout_seconds: 540 unless the handout was written with
--autograder-timeout; AUTOGRADER_TIMEOUT overrides it). The build and the tests run as many
jobs at once as the container's CPU share allows (WORKBOOK_JOBS), not as many as its host has.

Only the stage's src/ is taken from the submission, and only its C++ and assembly sources
(regular files, 1 MiB at most each): the driver, common/, the build files, labs.toml and the
stage's tests/ and host/ come from the bundle. The sources are laid over the pristine src/, so
a file the submission lacks keeps the handout's version. When run as root and the user
workbook-grader exists (setup.sh creates it), the build and the tests run as that user, who may
write only the build directory: code of the student's that runs on the host (the host tests
compile some src/ files natively) cannot rewrite the grader, the tests or the bundle. A
submission whose files differ from the handout outside the lab regions is graded all the same,
and results.json's top-level output lists those files for the teacher to look at. Whatever
happens (no stage found, a build that fails, a kernel that hangs, the grade overrunning its
time), results.json is written: the points lost and the reason.

github-step runs `./workbook grade STAGE --json --junit` in a GitHub Actions job and writes the
points for GitHub Classroom's reporter (classroom-resources/autograding-grading-reporter): the
step output `result`, base64 of {max_score, status, tests[]: name, status, score, max_score,
message}, one test per lab. Its exit status is 0 whenever a result was written.
"""

from __future__ import annotations

import argparse
import base64
import glob
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import deque

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import labs  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GRADER_USER = "workbook-grader"
MAX_FILE = 1 << 20
SUBMITTED_SUFFIXES = labs.SOURCE_SUFFIXES
# What of a handout goes into the bundle's tree: everything the build and the grade need, not
# its git history, its book, its README or its workflows.
LEFT_OUT = {".git", "book", "README.md", ".github"}


# --- writing the bundle and the workflow ---------------------------------------------------------

# Gradescope stops an autograder after 10 minutes unless the assignment's settings allow more
# (40 at most); run_autograder stops the grade a minute before, so that results.json comes out.
DEFAULT_TIMEOUT = 540


def bundle_config(tree: str, stage: str, timeout: int = DEFAULT_TIMEOUT) -> dict:
    groups = labs.load_groups(os.path.join(tree, stage))
    return {"stage": stage,
            "groups": [{"name": g.name, "title": g.title, "points": g.points} for g in groups],
            "max_score": sum(g.points for g in groups),
            "timeout_seconds": timeout}


def write_gradescope_bundle(handout: str, stage: str, zip_path: str, timeout: int = DEFAULT_TIMEOUT) -> dict:
    """Writes Gradescope's autograder zip for the handout in `handout`: setup.sh and
    run_autograder at the top, autograder.json, a README for the teacher, and tree/ (the
    handout's driver, common/, build files and stages, as the student got them)."""
    if os.path.exists(zip_path):
        raise labs.LabsError(f"{zip_path} exists already; name another file or remove it")
    with tempfile.TemporaryDirectory(prefix="workbook-bundle-") as tmp:
        tree = os.path.join(tmp, "tree")
        os.makedirs(tree)
        for name in sorted(os.listdir(handout)):
            if name in LEFT_OUT:
                continue
            src = os.path.join(handout, name)
            if os.path.isdir(src) and not os.path.islink(src):
                labs._copy_tree(src, os.path.join(tree, name))
            else:
                shutil.copy2(src, os.path.join(tree, name), follow_symlinks=False)
        config = bundle_config(tree, stage, timeout)
        with open(os.path.join(tmp, "autograder.json"), "w") as f:
            json.dump(config, f, indent=2)
            f.write("\n")
        for name in ("setup.sh", "run_autograder"):
            shutil.copy2(os.path.join(HERE, "gradescope", name), os.path.join(tmp, name))
            os.chmod(os.path.join(tmp, name), 0o755)
        with open(os.path.join(tmp, "README.md"), "w") as f:
            f.write(bundle_readme(config))
        os.makedirs(os.path.dirname(os.path.abspath(zip_path)), exist_ok=True)
        count = 0
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
            for dirpath, dirnames, filenames in os.walk(tmp):
                dirnames.sort()
                for name in sorted(filenames):
                    path = os.path.join(dirpath, name)
                    z.write(path, os.path.relpath(path, tmp))  # keeps the mode (run_autograder's x bit)
                    count += 1
    return {"files": count, "max_score": config["max_score"]}


def bundle_readme(config: dict) -> str:
    stage = config["stage"]
    rows = "\n".join(f"| {g['name']} | {g['title']} | {g['points']} |" for g in config["groups"])
    return f"""# Gradescope autograder for {stage}

Upload this zip as the assignment's autograder (Configure Autograder, Zip file upload), with
an Ubuntu 24.04 base image: the workbook needs CMake 3.25 and Python 3.11 or later. Gradescope
unpacks it in /autograder/source and runs setup.sh once (it installs the tools through
`tree/workbook setup --grading` and creates the user workbook-grader); for each submission it
runs run_autograder, which grades `{stage}/src/` of the submission in a copy of tree/ with
`./workbook grade {int(stage[:2])}` and writes /autograder/results/results.json.

run_autograder stops a grade after {config['timeout_seconds']} s (autograder.json's timeout_seconds)
and writes the results it has: keep the assignment's autograder timeout a minute above that
(Gradescope's default, 10 minutes, is for the default timeout_seconds).

Students submit their repository (GitHub or a zip of it), or just the stage's src/ files.
Only {stage}/src/ is taken; everything else comes from tree/. The book's teaching chapter
(book/teaching.md in the workbook) says what is protected and what is not.

| group | what | points |
|---|---|---|
{rows}
| | total | {config['max_score']} |
"""


def github_workflow(stage: str) -> str:
    number = int(stage[:2])
    return f"""# GitHub Classroom's autograding for {stage}: installs the workbook's tools, grades the stage
# with `./workbook grade {number}` and reports the points (one per lab) to GitHub Classroom through
# its reporter action. Written by `./workbook handout {number} --autograder github`.
name: Autograding Tests
on:
  push:
  workflow_dispatch:
  repository_dispatch:
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    name: Autograding Tests
    runs-on: ubuntu-24.04
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 60
    steps:
      - name: Check out the submission
        uses: actions/checkout@v4
      - name: Install the tools
        run: ./workbook setup --grading
      - name: Grade {stage}
        id: grade
        run: python3 common/harness/autograder.py github-step --stage {stage}
      - name: Report the points to GitHub Classroom
        if: always() && steps.grade.outputs.result != ''
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          GRADE_RESULTS: ${{{{ steps.grade.outputs.result }}}}
        with:
          runners: grade
      - name: Keep the grade's files
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: grade-{stage}
          path: build/grade-results/
"""


def write_github_workflow(dest: str, stage: str) -> str:
    path = os.path.join(dest, ".github", "workflows", "classroom.yml")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(github_workflow(stage))
    return path


# --- grading a Gradescope submission -------------------------------------------------------------

def zero_results(config: dict, reason: str, detail: str = "") -> dict:
    """results.json when the grade gave none: every group 0 points, the reason as its output."""
    text = reason + ("\n\n" + detail if detail else "")
    return {"score": 0.0, "max_score": config["max_score"], "output": reason,
            "tests": [{"name": f"{g['name']}: {g['title']}", "score": 0.0, "max_score": g["points"],
                       "output": text} for g in config["groups"]]}


def find_submitted_src(submission: str, stage: str, pristine_src: str) -> tuple[str | None, dict[str, str]]:
    """Where the submission holds the stage's src/: (directory, {}) when it has one, else
    (None, {relative path in src/: submitted file}) for files uploaded loose, matched by name
    to the handout's src/ files, else (None, {})."""
    candidates = [os.path.join(submission, stage, "src")]
    candidates += sorted(glob.glob(os.path.join(glob.escape(submission), "*", stage, "src")))
    candidates.append(os.path.join(submission, "src"))
    for c in candidates:
        if os.path.isdir(c) and not os.path.islink(c) and not any(
                os.path.islink(p) for p in _parents(c, submission)):
            return c, {}
    by_name: dict[str, list[str]] = {}
    for rel in labs.stage_sources(os.path.dirname(pristine_src)):
        if rel.startswith("src/"):
            by_name.setdefault(os.path.basename(rel), []).append(rel[len("src/"):])
    loose = {}
    for name in sorted(os.listdir(submission)) if os.path.isdir(submission) else []:
        path = os.path.join(submission, name)
        if len(by_name.get(name, [])) == 1 and os.path.isfile(path) and not os.path.islink(path):
            loose[by_name[name][0]] = path
    return None, loose


def _parents(path: str, top: str) -> list[str]:
    out = []
    while os.path.abspath(path) != os.path.abspath(top) and path not in ("", "/"):
        out.append(path)
        path = os.path.dirname(path)
    return out


def take_sources(files: dict[str, str], work_src: str) -> tuple[list[str], list[str]]:
    """Copies the submitted sources (relative path -> file) over work_src; returns (taken,
    refused with why). Fresh copies, so that the build sees them as new."""
    taken, refused = [], []
    for rel, path in sorted(files.items()):
        if os.path.islink(path) or not os.path.isfile(path):
            refused.append(f"{rel} (not a regular file)")
        elif not rel.endswith(SUBMITTED_SUFFIXES):
            refused.append(f"{rel} (not a source file: {', '.join(SUBMITTED_SUFFIXES)})")
        elif os.path.getsize(path) > MAX_FILE:
            refused.append(f"{rel} (larger than {MAX_FILE} bytes)")
        elif ".." in rel.split("/"):
            refused.append(f"{rel} (outside src/)")
        else:
            dst = os.path.join(work_src, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if os.path.lexists(dst) and not os.path.isfile(dst):
                refused.append(f"{rel} (the handout has a directory there)")
                continue
            shutil.copyfile(path, dst)
            taken.append(rel)
    return taken, refused


def files_under(top: str) -> dict[str, str]:
    found = {}
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not os.path.islink(os.path.join(dirpath, d)))
        for name in filenames:
            path = os.path.join(dirpath, name)
            found[os.path.relpath(path, top)] = path
    return found


def outside_labs(path: str, rel: str) -> list[str] | None:
    """The file's lines outside its lab regions (None when its markers do not parse)."""
    lines = labs.read_lines(path)
    try:
        regions = labs.parse_markers(path, lines, rel)
    except (labs.LabsError, UnicodeDecodeError):
        return None
    inside = set()
    for r in regions:
        inside.update(range(r.begin + 1, r.end))
    return [line.rstrip() for i, line in enumerate(lines) if i not in inside]


def changes_outside_labs(taken: list[str], files: dict[str, str], pristine_src: str) -> list[str]:
    notes = []
    for rel in taken:
        mine, theirs = os.path.join(pristine_src, rel), files[rel]
        if not os.path.exists(mine):
            notes.append(f"{rel}: a new file")
            continue
        try:
            a, b = outside_labs(mine, rel), outside_labs(theirs, rel)
        except UnicodeDecodeError:
            a, b = None, None
        if b is None:
            notes.append(f"{rel}: its lab markers were changed or removed")
        elif a != b:
            notes.append(f"{rel}: changed outside the lab regions")
    return notes


def run_logged(argv: list[str], timeout: float, cwd: str, env: dict) -> tuple[int | None, str]:
    """Runs argv in a session of its own, echoing its output; returns (status or None when
    stopped at the timeout, the last lines of its output)."""
    tail: deque[str] = deque(maxlen=60)
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, errors="replace", start_new_session=True)
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        kill_tree(proc.pid)

    timer = threading.Timer(timeout, stop)
    timer.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            tail.append(line)
        status = proc.wait()
    finally:
        timer.cancel()
    kill_tree(proc.pid)  # whatever the grade left running (an emulator) goes with it
    sys.stdout.flush()
    return (None if timed_out.is_set() else status), "".join(tail)


def kill_tree(top: int) -> None:
    """Stops the process `top` started in a session of its own, its descendants and the rest of
    its session (Ninja puts each compiler in a process group of its own; an emulator may start
    a session of its own): each is stopped first, so that none escapes by being reparented,
    then killed."""
    stopped: set[int] = set()
    while True:
        table = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            table[int(entry)] = (int(fields[1]), int(fields[3]))  # parent, session
        # The session's members (its leader, `top`, included while it runs), then their children.
        doomed = {pid for pid, (_, session) in table.items() if session == top}
        grew = True
        while grew:
            more = {pid for pid, (parent, _) in table.items() if parent in doomed} - doomed
            doomed |= more
            grew = bool(more)
        new = {pid for pid in doomed if pid in table} - stopped
        if not new:
            break
        for pid in new:
            try:
                os.kill(pid, signal.SIGSTOP)
            except (ProcessLookupError, PermissionError):
                pass
        stopped |= new
    for pid in stopped:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def valid_results(data: object, config: dict) -> str:
    """Why the grade's JSON cannot be passed on ("" when it can)."""
    if not isinstance(data, dict):
        return "not a JSON object"
    if not isinstance(data.get("score"), (int, float)) or not isinstance(data.get("tests"), list):
        return "no score or no tests"
    if data.get("max_score") != config["max_score"]:
        return f"max_score {data.get('max_score')!r}, the bundle's labs give {config['max_score']}"
    if not 0 <= data["score"] <= config["max_score"]:
        return f"score {data['score']} out of range"
    return ""


def gradescope_run(a: argparse.Namespace) -> int:
    start = time.monotonic()
    source = os.path.abspath(os.environ.get("AUTOGRADER_SOURCE", "/autograder/source"))
    submission = os.path.abspath(os.environ.get("AUTOGRADER_SUBMISSION", "/autograder/submission"))
    results_dir = os.path.abspath(os.environ.get("AUTOGRADER_RESULTS", "/autograder/results"))
    work = os.path.abspath(os.environ.get("AUTOGRADER_WORK", "/autograder/work"))
    os.makedirs(results_dir, exist_ok=True)
    results_path = os.path.join(results_dir, "results.json")
    with open(os.path.join(source, "autograder.json")) as f:
        config = json.load(f)
    timeout = float(os.environ.get("AUTOGRADER_TIMEOUT", config.get("timeout_seconds", DEFAULT_TIMEOUT)))
    stage = config["stage"]

    def finish(data: dict, notes: list[str]) -> int:
        data["execution_time"] = round(time.monotonic() - start)
        if notes:
            data["output"] = "\n".join(([data["output"]] if data.get("output") else []) + notes)
        with open(results_path, "w") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
        print(f"run_autograder: {data['score']:g}/{data['max_score']} written to {results_path}", flush=True)
        return 0

    for what, path in (("source", source), ("submission", submission), ("results", results_dir)):
        if work == path or work in ("/", "") or path.startswith(work + "/"):
            return finish(zero_results(config, f"the work directory {work} would hold the {what} "
                                       "directory; set AUTOGRADER_WORK elsewhere"), [])
    print(f"run_autograder: grading {stage} of {submission} in {work}", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    labs._copy_tree(os.path.join(source, "tree"), work)
    pristine_src = os.path.join(source, "tree", stage, "src")
    work_src = os.path.join(work, stage, "src")
    found, loose = find_submitted_src(submission, stage, pristine_src)
    if found:
        files = files_under(found)
        where = os.path.relpath(found, submission)
    else:
        files, where = loose, "loose files named like the stage's sources"
    if not files:
        return finish(zero_results(config, f"no {stage}/src/ in the submission (submit the repository, "
                                   f"or the files of {stage}/src/)"), [])
    taken, refused = take_sources(files, work_src)
    notes = [f"Taken from the submission ({where}): {len(taken)} file(s) of {stage}/src/."]
    if refused:
        notes.append("Left out: " + "; ".join(refused))
    changes = changes_outside_labs(taken, files, pristine_src)
    if changes:
        notes.append("For the teacher, changes outside the lab regions:\n  " + "\n  ".join(changes))
    print("run_autograder: " + "\nrun_autograder: ".join(notes), flush=True)

    out_dir = os.path.join(work, ".autograder-out")
    os.makedirs(out_dir)
    os.makedirs(os.path.join(work, "build"), exist_ok=True)
    grade_json = os.path.join(out_dir, "grade.json")
    argv = [sys.executable, os.path.join(work, "workbook"), "grade", stage, "--json", grade_json, "--no-install"]
    env = dict(os.environ)
    # As many compilers and emulators at once as the container's CPU share allows, not as many
    # as its host has CPUs: more would only slow each test towards the harness's timeout.
    env.setdefault("WORKBOOK_JOBS", str(grade_jobs()))
    print(f"run_autograder: {env['WORKBOOK_JOBS']} job(s) at once (CPU share: {cpu_share() or 'no limit'})",
          flush=True)
    user = grader_user()
    if user is not None:
        # The grade as the unprivileged user: it may write the build directory and its output
        # directory only, so the student's code that runs on the host cannot touch the rest.
        for d in (out_dir, os.path.join(work, "build")):
            os.chown(d, user.pw_uid, user.pw_gid)
        env.update(HOME=user.pw_dir, USER=user.pw_name, LOGNAME=user.pw_name)
        argv = ["runuser", "-u", user.pw_name, "--"] + argv
        print(f"run_autograder: grading as the user {user.pw_name}", flush=True)
    status, tail = run_logged(argv, timeout, work, env)
    if status is None:
        return finish(zero_results(config, f"HANG: the grade did not finish within {timeout:g} s "
                                   "(autograder.json's timeout_seconds)", tail), notes)
    try:
        with open(grade_json) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        return finish(zero_results(config, f"the grade wrote no results (status {status}: {e})", tail), notes)
    why = valid_results(data, config)
    if why:
        return finish(zero_results(config, f"the grade's results cannot be used: {why}", tail), notes)
    return finish(data, notes)


def cpu_share() -> float | None:
    """The CPUs the cgroup's quota allows this process (cgroup v2 cpu.max, or v1
    cpu.cfs_quota_us), None when it sets none: a container sees every CPU of its host in its
    affinity mask, Gradescope's gets half of one unless the teacher asks for more."""
    try:
        with open("/proc/self/cgroup") as f:
            lines = [line.strip().split(":", 2) for line in f if line.count(":") >= 2]
    except OSError:
        return None
    for _, controllers, path in lines:
        path = path.lstrip("/")
        try:
            if controllers == "":
                for base in (os.path.join("/sys/fs/cgroup", path), "/sys/fs/cgroup"):
                    if os.path.exists(os.path.join(base, "cpu.max")):
                        with open(os.path.join(base, "cpu.max")) as f:
                            quota, period = f.read().split()
                        if quota != "max":
                            return int(quota) / int(period)
                        break
            elif "cpu" in controllers.split(","):
                for base in (os.path.join("/sys/fs/cgroup", controllers, path),
                             os.path.join("/sys/fs/cgroup", "cpu", path), "/sys/fs/cgroup/cpu"):
                    if os.path.exists(os.path.join(base, "cpu.cfs_quota_us")):
                        with open(os.path.join(base, "cpu.cfs_quota_us")) as f:
                            quota = int(f.read())
                        with open(os.path.join(base, "cpu.cfs_period_us")) as f:
                            period = int(f.read())
                        if quota > 0:
                            return quota / period
                        break
        except (OSError, ValueError):
            continue
    return None


def grade_jobs() -> int:
    cpus = len(os.sched_getaffinity(0))
    share = cpu_share()
    if share is not None:
        cpus = min(cpus, max(1, int(share + 0.5)))
    return max(1, cpus)


def grader_user():
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        return None
    try:
        return pwd.getpwnam(GRADER_USER)
    except KeyError:
        return None


# --- the GitHub Classroom step --------------------------------------------------------------------

def github_step(a: argparse.Namespace) -> int:
    root = os.path.abspath(a.root or os.path.join(HERE, "..", ".."))
    stage = a.stage
    out = os.path.join(root, "build", "grade-results")  # build*/ is ignored by git
    os.makedirs(out, exist_ok=True)
    results_json, junit = os.path.join(out, "results.json"), os.path.join(out, "grade.xml")
    if os.path.exists(results_json):
        os.unlink(results_json)
    argv = [sys.executable, os.path.join(root, "workbook"), "grade", stage, "--json", results_json, "--junit", junit]
    print("+ " + " ".join(argv), flush=True)
    status = subprocess.run(argv, cwd=root).returncode
    config = bundle_config(root, stage)
    try:
        with open(results_json) as f:
            data = json.load(f)
        why = valid_results(data, config)
    except (OSError, ValueError, KeyError) as e:
        data, why = None, str(e)
    if data is None or why:
        data = zero_results(config, f"./workbook grade gave no usable results (status {status}: {why})")
    runner = {
        "version": 1,
        "status": "pass" if data["score"] >= data["max_score"] else "fail",
        "max_score": data["max_score"],
        "tests": [{"name": t["name"], "status": "pass" if t["score"] >= t["max_score"] else "fail",
                   "score": t["score"], "max_score": t["max_score"], "message": t.get("output", ""),
                   "test_code": f"./workbook grade {int(stage[:2])}", "line_no": 0}
                  for t in data["tests"]],
    }
    encoded = base64.b64encode(json.dumps(runner).encode()).decode()
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with open(target, "a") as f:
            f.write(f"result={encoded}\n")
    else:
        print("github-step: GITHUB_OUTPUT is not set (not in GitHub Actions); the result would be:")
        print(json.dumps(runner, indent=2)[:2000])
    print(f"github-step: Points {data['score']:g}/{data['max_score']}", flush=True)
    return 0


# --- the kit's own check --------------------------------------------------------------------------

def check(a: argparse.Namespace) -> int:
    """Writes the handout with both autograders, checks the workflow's YAML (when python3-yaml
    is there), and runs the bundle's run_autograder with Gradescope's directories moved into
    a.work on a submission that solves one lab of the reference's and tampers with the rest
    (a test and the stage's CMakeLists.txt broken, a symbolic link in src/). The results must
    leave out the tampering, score above 0 and below full marks, and equal what ./workbook
    grade gives the tree run_autograder graded."""
    work = os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    handout, bundle = os.path.join(work, "handout"), os.path.join(work, "bundle.zip")
    t0 = time.monotonic()
    run([sys.executable, os.path.join(a.root, "workbook"), "handout", a.stage, "--to", handout,
         "--autograder", "gradescope", "--autograder", "github", "--autograder-to", bundle, "--no-install"])
    problems = check_workflow(os.path.join(handout, ".github", "workflows", "classroom.yml"), a.stage)
    ag = os.path.join(work, "autograder")
    source, submission, results = (os.path.join(ag, d) for d in ("source", "submission", "results"))
    with zipfile.ZipFile(bundle) as z:
        z.extractall(source)
        for info in z.infolist():  # zipfile's extraction drops the modes: put back the stored ones
            mode = info.external_attr >> 16
            if mode:
                os.chmod(os.path.join(source, info.filename), mode & 0o777)
    for name in ("setup.sh", "run_autograder"):
        if not os.access(os.path.join(source, name), os.X_OK):
            problems.append(f"the bundle's {name} is not executable")
    # The student's repository: one lab's file as the reference has it, a broken test and build
    # file (which must not be taken), and a symbolic link in src/ (which must be left out).
    shutil.copytree(handout, submission, ignore=shutil.ignore_patterns(".git"))
    stage_sub = os.path.join(submission, a.stage)
    solved = solved_file(a.root, a.stage)
    shutil.copyfile(os.path.join(a.root, a.stage, "src", solved), os.path.join(stage_sub, "src", solved))
    test = sorted(t for t in os.listdir(os.path.join(stage_sub, "tests")) if t.endswith(".cpp"))[0]
    for rel, line in (("CMakeLists.txt", 'message(FATAL_ERROR "tampered with")'),
                      (os.path.join("tests", test), "#error tampered with")):
        with open(os.path.join(stage_sub, rel), "a") as f:
            f.write(f"\n{line}\n")
    os.symlink("/etc/hostname", os.path.join(stage_sub, "src", "tampered.h"))
    env = dict(os.environ, AUTOGRADER_SOURCE=source, AUTOGRADER_SUBMISSION=submission,
               AUTOGRADER_RESULTS=results, AUTOGRADER_WORK=os.path.join(ag, "work"))
    t1 = time.monotonic()
    run([os.path.join(source, "run_autograder")], env=env)
    t2 = time.monotonic()
    with open(os.path.join(results, "results.json")) as f:
        got = json.load(f)
    # The same tree, graded by the driver: run_autograder's copy, built already.
    grade_json = os.path.join(work, "grade.json")
    graded = os.path.join(ag, "work")
    status = subprocess.run([sys.executable, os.path.join(graded, "workbook"), "grade", a.stage,
                             "--json", grade_json, "--no-install"], cwd=graded).returncode
    t3 = time.monotonic()
    with open(grade_json) as f:
        want = json.load(f)
    print(f"check: run_autograder's results.json: {got['score']}/{got['max_score']}; "
          f"./workbook grade on the tree it graded: {want['score']}/{want['max_score']} (status {status})")
    print(f"check: handout and bundle {t1 - t0:.0f} s, run_autograder {t2 - t1:.0f} s, grade again {t3 - t2:.0f} s")
    if (got["score"], got["max_score"]) != (want["score"], want["max_score"]):
        problems.append("the scores differ")
    if [t["score"] for t in got["tests"]] != [t["score"] for t in want["tests"]]:
        problems.append("the groups' scores differ")
    if not 0 < got["score"] < got["max_score"]:
        problems.append(f"the submission scored {got['score']}, not between 0 and {got['max_score']}")
    output = got.get("output", "")
    for expected in ("Taken from the submission", "tampered.h (not a regular file)"):
        if expected not in output:
            problems.append(f"results.json's output does not say {expected!r}")
    if problems:
        print("check: FAILED: " + "; ".join(problems))
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("check: ok")
    return 0


def solved_file(root: str, stage: str) -> str:
    """A src/ file of the stage with a lab region (its first lab's first), to submit solved."""
    groups = [g for g in labs.load_groups(os.path.join(root, stage)) if not g.rest]
    regions = [r for r in labs.stage_regions(os.path.join(root, stage))
               if r.lab == groups[0].name and r.path.startswith("src/")]
    return regions[0].path[len("src/"):]


def check_workflow(path: str, stage: str) -> list[str]:
    try:
        import yaml
    except ImportError:
        # Debian's python3-yaml is in the system interpreter's dist-packages, which a python3
        # from pyenv or a virtual environment does not read.
        sys.path.append("/usr/lib/python3/dist-packages")
        try:
            import yaml
        except ImportError:
            print("check: python3-yaml is not installed: the workflow's YAML is not parsed "
                  "(./workbook test --handouts installs it)")
            return []
    with open(path) as f:
        doc = yaml.safe_load(f)
    problems = []
    job = doc.get("jobs", {}).get("run-autograding-tests", {})
    steps = job.get("steps", [])
    ids = [s.get("id") for s in steps]
    if "grade" not in ids:
        problems.append("the workflow has no step with id grade")
    reporter = [s for s in steps if str(s.get("uses", "")).startswith("classroom-resources/autograding-grading-reporter@")]
    if len(reporter) != 1 or reporter[0].get("with", {}).get("runners") != "grade" \
            or "GRADE_RESULTS" not in reporter[0].get("env", {}):
        problems.append("the reporter step does not read the grade step's result")
    runs = [s["run"] for s in steps if "run" in s]
    if f"--stage {stage}" not in " ".join(runs):
        problems.append(f"no step grades {stage}")
    print(f"check: the workflow parses; its commands: {runs}")
    return problems


def run(argv: list[str], env: dict | None = None) -> None:
    print("+ " + " ".join(argv), flush=True)
    status = subprocess.run(argv, env=env).returncode
    if status != 0:
        print(f"check: failed (status {status})")
        sys.exit(1)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("gradescope-run").set_defaults(func=gradescope_run)
    g = sub.add_parser("github-step")
    g.add_argument("--stage", required=True)
    g.add_argument("--root", help="the handout's root (default: where this file is)")
    g.set_defaults(func=github_step)
    c = sub.add_parser("check")
    c.add_argument("--root", required=True)
    c.add_argument("--stage", required=True)
    c.add_argument("--work", required=True)
    c.set_defaults(func=check)
    a = p.parse_args()
    return a.func(a)


if __name__ == "__main__":
    sys.exit(main())
