#!/usr/bin/env python3
"""Reference tests and solutions for the book's exercises (book/solutions/README.md).

Each chapter NN that has code exercises has a directory book/solutions/NN/ with
  exercises.json   what each exercise's check runs (below) and where its solution is;
  <k>/*.patch      the reference solution of exercise k: a patch against the stage, with paths
                   from the repository's root (a/03-vga/src/vga_buffer.cpp), applied with
                   `git apply` in the order exercises.json lists them, one after the other;
  README.md        the answers to the chapter's questions, from real runs.

A check boots kernels of the stage under the harness (common/harness/harness.py) and needs no
change to the stage's CMakeLists.txt, so the same check runs against a learner's own stage, the
untouched stage, and the stage with the reference solution applied:

  solutions.py check STAGE [EX...] --build DIR        the checks against DIR's kernels
                                                      (a learner's build: ./workbook solution N K)
  solutions.py reference STAGE --work DIR --cxx CXX --cc CC
                                                      copies the stage, applies every solution of
                                                      the chapter, builds the kernels the checks
                                                      need (host tests only where a check runs
                                                      one) and runs the checks:
                                                      all must pass
  solutions.py unpatched STAGE --build DIR            the checks against the untouched stage's
                                                      kernels: every one must FAIL (a check that
                                                      passes there tests the stage, not the
                                                      exercise)
  solutions.py applies                                every patch applies, in order, to the
                                                      current stage (names the one that does not)
  solutions.py show STAGE EX                          prints the reference solution
  solutions.py list                                   the exercises with checks

A check in exercises.json is one of
  {"kernel": K, "harness": [ARGS]}                    harness.py --kernel K.elf ARGS must pass
  {"kernel": K, "harness": [ARGS], "verdict": V, "output": [TEXT]}
                                                      ... must fail with verdict V, its output
                                                      containing each TEXT (expect_verdict.py)
  {"kernel": K, "harness": [ARGS], "centred_row": R, "attr": "1e"}
                                                      row R holds text centred on the screen
                                                      (left and right margins differ by at most
                                                      one) in attribute attr
  {"kernel": K, "harness": [ARGS], "screen_regex": [REGEX]}
                                                      ... passes, and its final screen matches each
                                                      REGEX (for output that differs between
                                                      emulators)
  {"kernel": K, "disassemble": FUNCTION, "contains": TEXT}
                                                      objdump -d of FUNCTION shows TEXT
  {"ctest": REGEX, "kernels": [K], "host_tests": [H]} the stage's own tests matching REGEX pass
                                                      (ctest in the build directory); the
                                                      reference builds kernels K and host tests H
                                                      for them
  {"snippet": [LINES], "fails_with": [REGEX]}        the same for a few lines of C++ given here
  {"host_test": H, "test_output": [REGEX], "test_name": REGEX}
                                                      the stage's host test H (GoogleTest) passes,
                                                      and one of its tests, whose name matches
                                                      test_name (default: any), passes with an
                                                      output (what it prints between its RUN and
                                                      OK lines) matching each REGEX; with
                                                      "symbol": REGEX, H also defines a function
                                                      whose name (nm -C) matches REGEX; the
                                                      reference builds H
  {"compile": FILE, "defines": [D...], "flags": [F...], "fails_with": [REGEX]}
                                                      compiling the stage's FILE (as a host
                                                      translation unit, with the stage's src/ and
                                                      common/include on the include path) fails,
                                                      its errors matching each REGEX
Exit status 0 when what the command asserts holds, 1 otherwise, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.realpath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


class Problem(Exception):
    pass


def stage_dir_name(root: str, stage: str) -> str:
    number = f"{int(stage):02d}" if stage.isdigit() else stage[:2]
    found = sorted(d for d in os.listdir(root) if d.startswith(number + "-")
                   and os.path.isfile(os.path.join(root, d, "CMakeLists.txt")))
    if not found:
        raise Problem(f"no stage numbered {number} in {root}")
    return found[0]


def chapters(root: str) -> list[str]:
    base = os.path.join(root, "book", "solutions")
    return sorted(d for d in os.listdir(base)
                  if re.fullmatch(r"\d\d", d) and os.path.isfile(os.path.join(base, d, "exercises.json")))


def load(root: str, number: str) -> dict:
    path = os.path.join(root, "book", "solutions", number, "exercises.json")
    if not os.path.isfile(path):
        answers = os.path.join(root, "book", "solutions", number, "README.md")
        raise Problem(f"chapter {int(number)} has no checked exercises"
                      + (f"; the answers to its questions are in {os.path.relpath(answers, root)}"
                         if os.path.isfile(answers) else "")
                      + "; `./workbook solution --list` lists the checked ones")
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    spec["number"] = number
    spec["dir"] = os.path.dirname(path)
    return spec


def copies(spec: dict) -> list[str]:
    """The patched copies of the stage the reference needs: one, unless two exercises' solutions
    cannot share a kernel (both change what kernel_main does first); an exercise's "copy" names
    its copy (default "a")."""
    out: list[str] = []
    for e in spec["exercises"].values():
        if e.get("copy", "a") not in out:
            out.append(e.get("copy", "a"))
    return out


def in_copy(spec: dict, copy: str) -> list[str]:
    return [ex for ex, e in spec["exercises"].items() if e.get("copy", "a") == copy]


def patches(spec: dict, exercises: list[str] | None = None) -> list[str]:
    out = []
    for ex, e in spec["exercises"].items():
        if exercises is None or ex in exercises:
            out += [os.path.join(spec["dir"], p) for p in e.get("solution", [])]
    return out


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


def indent(text: str, lines: int = 25) -> str:
    rows = text.rstrip("\n").split("\n")[-lines:]
    return "\n".join("      | " + r for r in rows)


# --- one check ---------------------------------------------------------------------------------

def harness_argv(root: str, build: str, stage: str, check: dict) -> list[str]:
    elf = os.path.join(build, stage, check["kernel"] + ".elf")
    if not os.path.isfile(elf):
        raise Problem(f"no kernel {os.path.relpath(elf, build)} in {build}: the exercise asks for "
                      f"it and the stage does not build it (or it is not built yet)")
    return [sys.executable, "-S", os.path.join(root, "common", "harness", "harness.py"),
            "--kernel", elf, "--timeout", str(check.get("timeout", 30))] + check.get("harness", [])


def run_check(root: str, build: str, stage: str, check: dict) -> str | None:
    """None when the check passes, else why it failed."""
    if "ctest" in check:
        # The kernels are built (by the driver, or by `reference`): no build fixture runs.
        r = run(["ctest", "--test-dir", build, "--output-on-failure", "-R", check["ctest"]],
                env=dict(os.environ, WORKBOOK_BUILT="1"))
        if r.returncode != 0 or "No tests were found" in r.stdout:
            return f"ctest -R '{check['ctest']}' failed:\n{indent(r.stdout)}"
        return None
    if "host_test" in check:
        return run_host_test(build, stage, check)
    if "compile" in check or "snippet" in check:
        cxx = shutil.which(os.environ.get("CXX", "g++")) or "g++"
        with tempfile.TemporaryDirectory(prefix="solutions-snippet-") as tmp:
            if "snippet" in check:
                src = os.path.join(tmp, "snippet.cpp")
                with open(src, "w", encoding="utf-8") as f:
                    f.write("\n".join(check["snippet"]) + "\n")
            else:
                src = os.path.join(root, stage, check["compile"])
            argv = [cxx, "-std=c++20", "-fsyntax-only", "-I", os.path.join(root, stage, "src"),
                    "-I", os.path.join(root, "common", "include")] + check.get("flags", []) + \
                [f"-D{d}" for d in check.get("defines", [])] + [src]
            r = run(argv)
        if r.returncode == 0:
            return f"{' '.join(os.path.basename(a) for a in argv)} compiled; the exercise wants it refused"
        missing = [t for t in check.get("fails_with", []) if not re.search(t, r.stdout)]
        if missing:
            return f"the compiler refused it, but its errors lack {missing}:\n{indent(r.stdout)}"
        return None
    if "disassemble" in check:
        elf = os.path.join(build, stage, check["kernel"] + ".elf")
        if not os.path.isfile(elf):
            return f"no kernel {elf}"
        r = run(["objdump", "-d", "--no-show-raw-insn", f"--disassemble={check['disassemble']}", elf])
        if check["contains"] not in r.stdout:
            return (f"objdump -d --disassemble={check['disassemble']} {os.path.relpath(elf, build)} does not "
                    f"show {check['contains']!r}:\n{indent(r.stdout, 30)}")
        return None
    try:
        argv = harness_argv(root, build, stage, check)
    except Problem as p:
        return str(p)
    if "centred_row" in check:
        r = run(argv + ["--show-screen"])
        if r.returncode != 0:
            return f"the kernel did not pass the harness:\n{indent(r.stdout)}"
        rows = [line[1:-1] for line in r.stdout.split("\n") if len(line) == 82 and line[0] == "|" and line[-1] == "|"]
        if len(rows) != 25:
            return f"could not read the screen from the harness's output:\n{indent(r.stdout)}"
        row = rows[check["centred_row"]]
        text = row.strip()
        left, right = len(row) - len(row.lstrip()), len(row) - len(row.rstrip())
        if not text:
            return f"row {check['centred_row']} is empty"
        if abs(left - right) > 1:
            return (f"row {check['centred_row']} reads {text!r} from column {left}: {left} blanks to its "
                    f"left, {right} to its right, not centred")
        argv = argv + [f"--vga={check['centred_row']}:{left}:{check['attr']}:{text}"]
    if "screen_regex" in check:
        r = run(argv + ["--show-screen"])
        if r.returncode != 0:
            return f"{check['kernel']}.elf under the harness:\n{indent(r.stdout)}"
        rows = [line[1:-1].rstrip() for line in r.stdout.split("\n")
                if len(line) == 82 and line[0] == "|" and line[-1] == "|"]
        screen = "\n".join(rows)
        missing = [x for x in check["screen_regex"] if not re.search(x, screen, re.MULTILINE)]
        if missing:
            return f"the screen of {check['kernel']}.elf shows nothing matching {missing}:\n{indent(r.stdout)}"
        return None
    if "verdict" in check:
        argv = [sys.executable, "-S", os.path.join(root, "common", "harness", "selftest", "expect_verdict.py"),
                "--verdict", check["verdict"]] + [f"--output={t}" for t in check.get("output", [])] + ["--"] + argv
    r = run(argv)
    if r.returncode != 0:
        return f"{check['kernel']}.elf under the harness:\n{indent(r.stdout)}"
    return None


_host_test_runs: dict[tuple[str, float], subprocess.CompletedProcess] = {}


def run_host_test(build: str, stage: str, check: dict) -> str | None:
    binary = os.path.join(build, stage, check["host_test"])
    if not os.path.isfile(binary):
        return (f"no host test {os.path.relpath(binary, build)} in {build}: the stage does not build "
                f"it (or it is not built yet)")
    # The output of one test: its RUN line, what it printed, its OK line (FAILED when it failed).
    if "symbol" in check:
        nm = run(["nm", "-C", "--defined-only", binary])
        if not re.search(check["symbol"], nm.stdout):
            return f"{check['host_test']} defines no function matching {check['symbol']!r} (nm -C)"
    # Several checks may read one binary's output: it runs once (per build of it).
    key = (binary, os.path.getmtime(binary))
    if key not in _host_test_runs:
        try:
            _host_test_runs[key] = run([binary, "--gtest_color=no"], timeout=check.get("timeout", 300))
        except subprocess.TimeoutExpired:
            return f"{check['host_test']} did not finish within {check.get('timeout', 300)} s (a hang?)"
    r = _host_test_runs[key]
    if r.returncode != 0:
        return f"{check['host_test']} failed (status {r.returncode}):\n{indent(r.stdout)}"
    name_regex = check.get("test_name", r".")
    blocks = re.findall(r"^\[ RUN      \] (\S+)\n(.*?)^\[       OK \] \1\b", r.stdout, re.M | re.S)
    named = [(name, out) for name, out in blocks if re.search(name_regex, name)]
    for name, out in named:
        if all(re.search(x, out) for x in check.get("test_output", [])):
            return None
    if not named:
        return (f"{check['host_test']} passes, but none of its {len(blocks)} tests has a name matching "
                f"{name_regex!r}")
    return (f"{check['host_test']} passes, but none of its {len(named)} test(s)"
            + (f" named like {name_regex!r}" if "test_name" in check else "")
            + f" prints what matches {check.get('test_output', [])}")


def run_exercise(root: str, build: str, stage: str, ex: str, e: dict) -> list[str]:
    failures = []
    for i, check in enumerate(e["checks"], 1):
        why = run_check(root, build, stage, check)
        if why:
            # The first failure says enough, and the later checks could each wait for a timeout.
            failures.append(f"check {i} of {len(e['checks'])}: {why}")
            break
    return failures


def check_all(root: str, build: str, spec: dict, exercises: list[str] | None, expect_fail: bool) -> int:
    stage = stage_dir_name(root, spec["number"])
    selected = [ex for ex in spec["exercises"] if exercises is None or ex in exercises]
    unknown = [ex for ex in (exercises or []) if ex not in spec["exercises"]]
    if unknown:
        raise Problem(f"chapter {spec['number']} has no checked exercise {', '.join(unknown)} "
                      f"(checked: {', '.join(spec['exercises'])})")
    bad = 0
    for ex in selected:
        e = spec["exercises"][ex]
        start = time.monotonic()
        failures = run_exercise(root, build, stage, ex, e)
        took = time.monotonic() - start
        name = f"chapter {int(spec['number'])}, exercise {ex} ({e['title']})"
        if expect_fail:
            if failures:
                first = failures[0].split("\n")
                verdicts = [line.strip(" |") for line in first if line.strip(" |").startswith(("harness: ", "expect_verdict: "))]
                print(f"solutions: {name}: fails on the untouched stage, as it must ({took:.1f} s): "
                      + first[0] + (" " + verdicts[-1] if verdicts else ""))
            else:
                bad += 1
                print(f"solutions: {name}: PASSES on the untouched stage: its check tests the stage, "
                      f"not the exercise")
        elif failures:
            bad += 1
            print(f"solutions: {name}: FAILED ({took:.1f} s)")
            for f in failures:
                print("    " + f)
        else:
            print(f"solutions: {name}: passed ({took:.1f} s)")
    return 1 if bad else 0


# --- patches -----------------------------------------------------------------------------------

def copy_stage_skeleton(root: str, stage: str, dest: str) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build*")
    os.makedirs(dest)
    for name in ("CMakeLists.txt", "CMakePresets.json"):
        shutil.copy2(os.path.join(root, name), os.path.join(dest, name))
    shutil.copytree(os.path.join(root, "common"), os.path.join(dest, "common"), ignore=ignore)
    shutil.copytree(os.path.join(root, stage), os.path.join(dest, stage), ignore=ignore)


def apply_patches(tree: str, files: list[str], check_only: bool = False) -> None:
    for p in files:
        argv = ["git", "apply", "--whitespace=nowarn"] + (["--check"] if check_only else []) + [p]
        # Outside any repository: git apply works on plain files, as patch(1) would.
        r = run(argv, cwd=tree, env=dict(os.environ, GIT_CEILING_DIRECTORIES=os.path.dirname(tree)))
        if r.returncode != 0:
            raise Problem(f"the solution {os.path.relpath(p, ROOT)} does not apply to the current stage "
                          f"(after the chapter's patches listed before it):\n{indent(r.stdout)}\n"
                          f"    a change to the stage broke it: update the patch (edit the stage, "
                          f"`git diff` it, restore the stage)")


def cmd_applies(root: str) -> int:
    bad = 0
    for number, copy in [(n, c) for n in chapters(root) for c in copies(load(root, n))]:
        spec = load(root, number)
        stage = stage_dir_name(root, number)
        files = patches(spec, in_copy(spec, copy))
        with tempfile.TemporaryDirectory(prefix="solutions-") as tmp:
            tree = os.path.join(tmp, "tree")
            os.makedirs(tree)
            shutil.copytree(os.path.join(root, stage), os.path.join(tree, stage),
                            ignore=shutil.ignore_patterns("build*"))
            try:
                apply_patches(tree, files)
                print(f"solutions: chapter {int(number)}: {len(files)} patch(es) apply to {stage}"
                      + (f" (copy {copy})" if len(copies(spec)) > 1 else ""))
            except Problem as p:
                bad += 1
                print(f"solutions: chapter {int(number)}: {p}")
        for f in files:
            touched = [line[6:] for line in open(f, encoding="utf-8") if line.startswith("+++ b/")]
            outside = [t for t in touched if not t.startswith(stage + "/")]
            if outside:
                bad += 1
                print(f"solutions: {os.path.relpath(f, root)} changes files outside {stage}: {outside}")
    return 1 if bad else 0


def needed_targets(spec: dict, stage: str, exercises: list[str]) -> list[str]:
    prefix = "s" + stage[:2]
    kernels = []
    for e in (spec["exercises"][ex] for ex in exercises):
        for c in e["checks"]:
            if "kernel" in c and c["kernel"] not in kernels:
                kernels.append(c["kernel"])
            if "host_test" in c and f"host_{c['host_test']}" not in kernels:
                kernels.append(f"host_{c['host_test']}")
            if "ctest" in c:
                kernels += [k for k in c.get("kernels", []) if k not in kernels]
                kernels += [f"host_{h}" for h in c.get("host_tests", []) if f"host_{h}" not in kernels]
    # The stage's own kernel with its ISO (<stage>-kernel), which its CTest tests boot.
    return [f"{stage}-kernel" if k == "kernel" else f"{prefix}_{k}" for k in kernels]


def needs_host_tests(spec: dict, exercises: list[str]) -> bool:
    return any(c.get("host_tests") or c.get("host_test")
               for ex in exercises for c in spec["exercises"][ex]["checks"])


def cmd_reference(root: str, spec: dict, work: str, cxx: str, cc: str, keep: bool) -> int:
    shutil.rmtree(work, ignore_errors=True)
    status = 0
    for copy in copies(spec):
        exercises = in_copy(spec, copy)
        tree = os.path.join(work, "tree") if copy == "a" else os.path.join(work, f"tree-{copy}")
        if len(copies(spec)) > 1:
            print(f"solutions: copy {copy} of the stage, exercises {', '.join(exercises)}")
        status |= reference_copy(root, spec, exercises, tree, cxx, cc)
    if status == 0 and not keep:
        shutil.rmtree(work, ignore_errors=True)
    return status


def reference_copy(root: str, spec: dict, exercises: list[str], tree: str, cxx: str, cc: str) -> int:
    stage = stage_dir_name(root, spec["number"])
    build = os.path.join(tree, "build")
    copy_stage_skeleton(root, stage, tree)
    apply_patches(tree, patches(spec, exercises))
    targets = needed_targets(spec, stage, exercises)
    steps = [
        (["cmake", "-S", tree, "-B", build, "-G", "Ninja", f"-DCMAKE_CXX_COMPILER={cxx}",
          f"-DCMAKE_C_COMPILER={cc}", "-DCMAKE_BUILD_TYPE=RelWithDebInfo", f"-DWORKBOOK_STAGES={stage}",
          "-DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON"]
         # GoogleTest only for a check that runs a host test (it is built, alone, below).
         + ([] if needs_host_tests(spec, exercises) else ["-DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON"]),
         "configuring the patched copy"),
        (["cmake", "--build", build, "-j2", "--target"] + targets,
         f"building the kernels the checks need ({', '.join(targets)})"),
    ]
    for argv, what in steps:
        start = time.monotonic()
        r = run(argv)
        if r.returncode != 0:
            print(f"solutions: {what} failed (status {r.returncode}):\n{indent(r.stdout, 60)}")
            return 1
        print(f"solutions: {what}: {time.monotonic() - start:.1f} s", flush=True)
    return check_all(tree, build, spec, exercises, expect_fail=False)


def cmd_not_in_handout(root: str) -> int:
    """A handout of every stage with labs holds nothing from book/solutions."""
    sys.path.insert(0, os.path.join(root, "common", "harness"))
    import labs  # noqa: E402
    stages = sorted(d for d in os.listdir(root) if re.fullmatch(r"\d\d-.*", d)
                    and os.path.isfile(os.path.join(root, d, "labs.toml")))
    if not stages:
        print("solutions: no stage has labs (labs.toml); nothing to hand out")
        return 1
    bad = 0
    for stage in stages:
        with tempfile.TemporaryDirectory(prefix="solutions-handout-") as tmp:
            dest = os.path.join(tmp, "h")
            earlier = sorted(d for d in os.listdir(root) if re.fullmatch(r"\d\d-.*", d) and d < stage
                             and os.path.isfile(os.path.join(root, d, "CMakeLists.txt")))
            labs.write_handout(root, stage, dest, True, earlier)
            leaked = []
            for dirpath, dirnames, filenames in os.walk(dest):
                dirnames[:] = [d for d in dirnames if d != ".git"]
                for name in dirnames + filenames:
                    rel = os.path.relpath(os.path.join(dirpath, name), dest)
                    if "solutions" in rel.split(os.sep) or name.endswith((".patch", "exercises.json")):
                        leaked.append(rel)
            if leaked:
                bad += 1
                print(f"solutions: the handout of {stage} holds solutions: {leaked}")
            else:
                print(f"solutions: the handout of {stage} (--with-earlier) holds nothing from book/solutions")
    return 1 if bad else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", default=ROOT, help="the workbook's repository (default: this file's)")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check")
    c.add_argument("stage")
    c.add_argument("exercises", nargs="*")
    c.add_argument("--build", required=True)
    u = sub.add_parser("unpatched")
    u.add_argument("stage")
    u.add_argument("--build", required=True)
    r = sub.add_parser("reference")
    r.add_argument("stage")
    r.add_argument("--work", required=True)
    r.add_argument("--cxx", default="g++")
    r.add_argument("--cc", default="gcc")
    r.add_argument("--keep", action="store_true", help="keep the patched copy and its build")
    sub.add_parser("applies")
    sub.add_parser("not-in-handout")
    s = sub.add_parser("show")
    s.add_argument("stage")
    s.add_argument("exercise")
    sub.add_parser("list")
    a = p.parse_args()
    root = os.path.realpath(a.root)
    try:
        if a.command == "applies":
            return cmd_applies(root)
        if a.command == "not-in-handout":
            return cmd_not_in_handout(root)
        if a.command == "list":
            for number in chapters(root):
                spec = load(root, number)
                for ex, e in spec["exercises"].items():
                    print(f"{int(number)} {ex}  {e['title']}")
            return 0
        number = f"{int(a.stage[:2]):02d}" if a.stage[:2].isdigit() else a.stage
        spec = load(root, number)
        if a.command == "check":
            return check_all(root, os.path.realpath(a.build), spec, a.exercises or None, expect_fail=False)
        if a.command == "unpatched":
            return check_all(root, os.path.realpath(a.build), spec, None, expect_fail=True)
        if a.command == "reference":
            return cmd_reference(root, spec, os.path.realpath(a.work), a.cxx, a.cc, a.keep)
        if a.command == "show":
            files = patches(spec, [a.exercise])
            if a.exercise not in spec["exercises"]:
                raise Problem(f"chapter {int(number)} has no checked exercise {a.exercise}")
            for f in files:
                print(f"# {os.path.relpath(f, root)}")
                with open(f, encoding="utf-8") as fh:
                    print(fh.read(), end="")
            if not files:
                print(f"chapter {int(number)}, exercise {a.exercise}: no patch; see "
                      f"book/solutions/{number}/README.md")
            return 0
    except Problem as e:
        print(f"solutions: error: {e}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
