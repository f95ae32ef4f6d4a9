#!/usr/bin/env python3
"""Measures the workbook (what `./workbook bench` prints). Nothing here passes or fails.

The figures are the waits a learner and a teacher meet, each timed as they would meet it:

  first_run     a fresh clone to `./workbook run LAST --headless` showing the kernel's screen
  first_test    a fresh clone to `./workbook test` done (configure, build, every test)
  ctest_quiet   CTest's wall time for those tests, -jN, on an idle machine
  ctest_loaded  the same with one busy process per CPU competing for the machine
  edit_last     touch one source of the last stage, then `./workbook test LAST`
  edit_early    touch one source of stage 05, then `./workbook test 5`
  boot_direct   a test kernel (the last stage's basic_boot), QEMU start to exit, median; booted
                straight from its ELF (QEMU -kernel), as most test kernels are
  boot_grub     the same kernel through SeaBIOS and GRUB from its ISO, for comparison

A "fresh clone" is `git clone` of the repository under test into a temporary directory; files
changed but not committed are copied over it, so that a change can be measured before it is
committed. The Debian packages must already be installed (./workbook setup). ccache, when it is
installed, is switched off for the clones (CCACHE_DISABLE=1): a new machine has no cache.

Then, for information: every stage's main kernel booted through GRUB (time to the first serial
line and to exit or halt), and the host benchmarks (CTest label `bench`, executables *_bench).

--json FILE writes the figures with their goals; --compare FILE shows them next to an earlier
run's. --skip-build measures only what needs no clone (ctest_quiet, ctest_loaded, the boots) on
the preset's own build directory.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

# name: (what, goal in seconds or None). The goals are issue 9's; none of them is enforced.
FIGURES: dict[str, tuple[str, float | None]] = {
    "first_run": ("fresh clone -> `run` shows the kernel", 60.0),
    "first_test": ("fresh clone -> `test` done", 300.0),
    "ctest_quiet": ("CTest wall, all tests, quiet", 90.0),
    "ctest_loaded": ("CTest wall, all tests, loaded", 90.0),
    "edit_last": ("touch a last-stage source -> `test LAST`", 30.0),
    "edit_early": ("touch a stage-05 source -> `test 5`", 10.0),
    "boot_direct": ("test kernel boot to exit, direct", 0.2),
    "boot_grub": ("the same kernel through GRUB (no goal)", None),
}
EDIT_LAST_SOURCE = "src/task/executor.cpp"  # in the last stage (the executor: stage 12 on)
EDIT_EARLY = ("05", "src/interrupts.cpp")


def heading(text: str) -> None:
    print(f"\n== {text}", flush=True)


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def say(text: str) -> None:
    print(f"  {text}", flush=True)


class Result:
    def __init__(self) -> None:
        self.figures: dict[str, dict] = {}

    def record(self, name: str, value: float | None, note: str = "", ok: bool = True) -> None:
        self.figures[name] = {"seconds": None if value is None else round(value, 3), "note": note, "ok": ok}
        what, goal = FIGURES[name]
        shown = seconds(value) if value is not None else "not measured"
        aim = f" (goal {fmt_goal(goal)})" if goal is not None else ""
        print(f"  -> {what}: {shown}{aim}{'; ' + note if note else ''}", flush=True)


def fmt_goal(goal: float | None) -> str:
    if goal is None:
        return "-"
    return f"{goal:g} s" if goal < 60 else f"{goal / 60:g} min"


def run_timed(argv: list[str], cwd: str, env: dict[str, str], log: str) -> tuple[float, int, str]:
    """Runs argv with its output going to the log file; returns (seconds, status, output)."""
    start = time.monotonic()
    with open(log, "w") as out:
        status = subprocess.run(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    elapsed = time.monotonic() - start
    return elapsed, status, qemu.read_text(log)


def tail(text: str, lines: int = 25) -> str:
    return "\n".join("    " + l for l in text.rstrip().splitlines()[-lines:])


def ctest_summary(output: str) -> tuple[str, float | None]:
    """("N% tests passed, ... out of M", CTest's own wall time) from CTest's output."""
    passed = [l.strip() for l in output.splitlines() if "tests passed" in l]
    real = re.findall(r"Total Test time \(real\) =\s*([\d.]+) sec", output)
    return (passed[-1] if passed else "no CTest summary"), (float(real[-1]) if real else None)


# --- fresh clones ---------------------------------------------------------------------------------

def clone(source: str, into: str) -> None:
    """A clone of source's HEAD, with the working tree's uncommitted changes copied over it."""
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", source, into], check=True)
    changed = subprocess.run(["git", "ls-files", "-z", "--modified", "--others", "--exclude-standard"],
                             cwd=source, capture_output=True, text=True, check=True).stdout.split("\0")
    deleted = subprocess.run(["git", "ls-files", "-z", "--deleted"], cwd=source, capture_output=True,
                             text=True, check=True).stdout.split("\0")
    for rel in filter(None, changed):
        src = os.path.join(source, rel)
        if os.path.isfile(src):
            os.makedirs(os.path.dirname(os.path.join(into, rel)) or into, exist_ok=True)
            shutil.copy2(src, os.path.join(into, rel))
    for rel in filter(None, deleted):
        if os.path.lexists(os.path.join(into, rel)):
            os.unlink(os.path.join(into, rel))


def uncommitted(source: str) -> int:
    out = subprocess.run(["git", "status", "--porcelain"], cwd=source, capture_output=True, text=True)
    return len([l for l in out.stdout.splitlines() if l.strip()])


def last_stage(source: str) -> str:
    return sorted(d for d in os.listdir(source) if re.fullmatch(r"\d\d-.+", d))[-1]


def stage_dir(source: str, number: str) -> str | None:
    found = [d for d in os.listdir(source) if d.startswith(number + "-")]
    return found[0] if found else None


def first_run(a: argparse.Namespace, tmp: str, env: dict[str, str], res: Result) -> None:
    heading("fresh clone -> ./workbook run (headless)")
    repo = os.path.join(tmp, "first-run")
    stage = last_stage(a.source)
    start = time.monotonic()
    clone(a.source, repo)
    argv = ["./workbook", "run", stage, "--headless", "--timeout", f"{a.run_window:g}", "--preset", a.preset]
    say("$ " + " ".join(argv))
    _, status, out = run_timed(argv, repo, env, os.path.join(tmp, "first-run.log"))
    total = time.monotonic() - start
    # The screen run.py prints at the end is read from the guest: it proves the kernel was shown.
    screen = out.split("screen at the end:", 1)[-1] if "screen at the end:" in out else ""
    shown = bool(screen.strip()) and a.run_expect in screen
    if status != 0 or not shown:
        say(f"run ended with status {status}; {'the screen' if screen else 'no screen'} was printed"
            f"{'' if shown else f' and it does not show {a.run_expect!r}'}:\n{tail(out)}")
        res.record("first_run", None, note="failed: the kernel's screen was not shown", ok=False)
        return
    res.record("first_run", total, note=f"{stage}'s screen shows {a.run_expect!r}; includes the "
               f"{a.run_window:g} s the kernel runs before its screen is read")


def first_test(a: argparse.Namespace, tmp: str, env: dict[str, str], res: Result) -> str | None:
    """Times a fresh clone through `./workbook test`; returns the clone's build directory."""
    heading("fresh clone -> ./workbook test")
    repo = os.path.join(tmp, "first-test")
    start = time.monotonic()
    clone(a.source, repo)
    argv = ["./workbook", "test", "--preset", a.preset]
    say("$ " + " ".join(argv))
    _, status, out = run_timed(argv, repo, env, os.path.join(tmp, "first-test.log"))
    total = time.monotonic() - start
    summary, ctest_real = ctest_summary(out)
    say(f"{summary}; of the {total:.1f} s, CTest took {seconds(ctest_real)}")
    if status != 0:
        say(f"`./workbook test` failed (status {status}); measured anyway:\n{tail(out)}")
    res.record("first_test", total, note=summary, ok=status == 0)
    bdir = os.path.join(repo, "build" if a.preset == "default" else f"build-{a.preset}")
    return bdir if os.path.isdir(bdir) else None


def edit_cycle(a: argparse.Namespace, name: str, repo: str, stage: str, source: str, number: str,
               env: dict[str, str], tmp: str, res: Result) -> None:
    path = os.path.join(repo, stage, source)
    if not os.path.exists(path):
        say(f"no {stage}/{source} to touch")
        res.record(name, None, note=f"no {stage}/{source}", ok=False)
        return
    os.utime(path)
    argv = ["./workbook", "test", number, "--preset", a.preset]
    say(f"$ touch {stage}/{source}; " + " ".join(argv))
    total, status, out = run_timed(argv, repo, env, os.path.join(tmp, f"{name}.log"))
    summary, ctest_real = ctest_summary(out)
    say(f"{summary}; build {total - (ctest_real or 0):.1f} s, CTest {seconds(ctest_real)}")
    if status != 0:
        say(f"failed (status {status}); measured anyway:\n{tail(out)}")
    res.record(name, total, note=summary, ok=status == 0)


# --- CTest wall time, quiet and loaded ---------------------------------------------------------

def _spin() -> None:
    while True:
        pass


def ctest_wall(a: argparse.Namespace, bdir: str, tmp: str, res: Result) -> None:
    # The tests a plain `./workbook test` runs, without the labels it leaves to its flags: Bochs's
    # (--bochs), OVMF's (--uefi), the handout builds (--handouts), the exercises' reference
    # solutions (--solutions) and the website in Chromium (--browser).
    argv = ["ctest", "--test-dir", bdir, "-j", str(a.jobs), "-LE", "^(bochs|uefi|handout|solutions|browser)$",
            "--no-label-summary"]
    for name, load in (("ctest_quiet", 0), ("ctest_loaded", a.jobs)):
        heading(f"CTest wall time, -j{a.jobs}, " + (f"with {load} busy processes (one per CPU)" if load
                                                    else "quiet machine"))
        hogs = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(load)]
        for h in hogs:
            h.start()
        try:
            say("$ " + " ".join(argv))
            total, status, out = run_timed(argv, a.source, dict(os.environ), os.path.join(tmp, f"{name}.log"))
        finally:
            for h in hogs:
                h.terminate()
            for h in hogs:
                h.join()
        summary, _ = ctest_summary(out)
        if status != 0:
            failed = [l.strip() for l in out.splitlines() if re.search(r"\((Failed|Timeout)\)|\*\*\*", l)]
            say("failing tests (measured anyway):\n    " + "\n    ".join(failed[:30]))
        res.record(name, total, note=summary, ok=status == 0)


# --- boot timing ---------------------------------------------------------------------------------

class Boot:
    """One boot: seconds to the first serial line and to exit/halt (None: did not happen)."""

    def __init__(self, image: str, elf: str | None, limit: float, direct: bool = False):
        self.first_line: float | None = None
        self.end: float | None = None
        self.how = "still running"
        text_range = qemu.symbol_range(elf, "__text_start", "__text_end") if elf else None
        m = qemu.Machine(image, direct=direct)
        try:
            last_cpu_poll = 0.0
            while True:
                now = time.monotonic() - m.started
                if self.first_line is None and "\n" in m.serial():
                    self.first_line = now
                status = m.exited()
                if status is not None:
                    self.end = time.monotonic() - m.started
                    self.how = {qemu.EXIT_SUCCESS_STATUS: "exit 33", qemu.EXIT_FAILURE_STATUS: "exit 35",
                                0: "exit 0 (reset)"}.get(status, f"exit {status}")
                    if self.first_line is None and "\n" in m.serial():
                        self.first_line = self.end
                    return
                if now > limit:
                    return
                if now - last_cpu_poll >= 0.02:
                    last_cpu_poll = now
                    if qemu.halted_for_good(m.cpu_state(), text_range):
                        self.end = time.monotonic() - m.started
                        self.how = "halt"
                        return
                time.sleep(0.004)
        finally:
            m.stop()


def time_kernel(label: str, image: str, elf: str | None, runs: int, limit: float,
                direct: bool = False) -> float | None:
    """Prints one line of boot times and returns the median time to exit or halt."""
    boots = [Boot(image, elf, limit, direct)]
    if boots[0].end is not None:  # a kernel that never stops is timed once, not `runs` times
        boots += [Boot(image, elf, limit, direct) for _ in range(runs - 1)]
    firsts = [b.first_line for b in boots if b.first_line is not None]
    ends = [b.end for b in boots if b.end is not None]
    how = ", ".join(sorted({b.how for b in boots}))
    first = seconds(statistics.median(firsts)) if firsts else "no serial"
    end = seconds(statistics.median(ends)) if ends else f"> {limit:g} s"
    spread = f"{min(ends):.2f}..{max(ends):.2f}" if len(ends) > 1 else ""
    print(f"  {label:<38} {first:>12} {end:>10} {spread:>12}  {how} ({len(boots)} run{'s' * (len(boots) > 1)})",
          flush=True)
    return statistics.median(ends) if ends else None


def exit_kernel(build: str) -> tuple[str, str, str] | None:
    """(test name, ELF, ISO) of the last stage's basic_boot: a test kernel that exits through
    isa-debug-exit and is built both as an ELF and as a GRUB ISO."""
    out = subprocess.run(["ctest", "--test-dir", build, "--show-only=json-v1"], capture_output=True, text=True)
    try:
        tests = json.loads(out.stdout).get("tests", [])
    except ValueError:
        tests = []
    found = []
    for t in tests:
        cmd = t.get("command") or []
        if not t["name"].endswith("/basic_boot") or "/bochs/" in t["name"] or "--elf" not in cmd:
            continue
        elf = cmd[cmd.index("--elf") + 1]
        iso = cmd[cmd.index("--iso") + 1] if "--iso" in cmd else os.path.splitext(elf)[0] + ".iso"
        if os.path.exists(elf) and os.path.exists(iso):
            found.append((t["name"], elf, iso))
    return sorted(found)[-1] if found else None


def boots(a: argparse.Namespace, build: str, res: Result) -> None:
    heading(f"boot time under QEMU/TCG, from starting QEMU (median of {a.runs})")
    print(f"  {'kernel':<38} {'first line':>12} {'exit/halt':>10} {'min..max':>12}  how it ended")
    kernel = exit_kernel(build)
    if kernel is None:
        say("no basic_boot test kernel with an ELF and an ISO in the build")
        res.record("boot_direct", None, note="no basic_boot kernel", ok=False)
        res.record("boot_grub", None, note="no basic_boot kernel", ok=False)
    else:
        name, elf, iso = kernel
        problem = qemu.direct_load_problem(elf)
        direct = None if problem else time_kernel(f"{name}, direct (-kernel)", elf, elf, a.runs, 20.0, direct=True)
        grub = time_kernel(f"{name}, GRUB ISO", iso, elf, a.runs, 20.0)
        res.record("boot_direct", direct, note=problem or f"{name}, median of {a.runs}", ok=direct is not None)
        res.record("boot_grub", grub, note=f"{name}, median of {a.runs}", ok=grub is not None)
    stage_dirs = sorted(d for d in os.listdir(a.source) if re.fullmatch(r"\d\d-.+", d)
                        and os.path.exists(os.path.join(build, d, "kernel.iso")))
    for stage in stage_dirs:
        if a.stage and stage not in a.stage:
            continue
        time_kernel(f"{stage} kernel (GRUB ISO)", os.path.join(build, stage, "kernel.iso"),
                    os.path.join(build, stage, "kernel.elf"), a.runs, a.limit)
    print("  (first line: serial output, which stages 01-03 do not have; a kernel that neither exits\n"
          f"   nor halts within {a.limit:g} s, such as one waiting for interrupts, is booted once)")


# --- host benchmarks ------------------------------------------------------------------------------

def host_benchmarks(build: str) -> None:
    heading("host benchmarks")
    listed = subprocess.run(["ctest", "--test-dir", build, "-N", "-L", "^bench$"], capture_output=True, text=True)
    tests = re.findall(r"Test\s+#\d+:\s+(\S+)", listed.stdout)
    executables = []
    for dirpath, _, files in os.walk(build):
        for f in files:
            path = os.path.join(dirpath, f)
            if f.endswith("_bench") and os.access(path, os.X_OK):
                executables.append(path)
    if not tests and not executables:
        say("none: no CTest test labeled `bench` and no executable named *_bench in the build.")
        return
    if tests:
        say(f"CTest tests labeled bench: {', '.join(tests)}")
        subprocess.run(["ctest", "--test-dir", build, "-L", "^bench$", "-V"])
    for exe in sorted(executables):
        if os.path.basename(exe) in {t.split("/")[-1] for t in tests}:
            continue  # already run through CTest
        say(f"{os.path.relpath(exe, build)}:")
        subprocess.run([exe], cwd=os.path.dirname(exe))


# --- summary, JSON, comparison -------------------------------------------------------------------

def summary(res: Result, earlier: dict | None, earlier_name: str) -> None:
    heading("summary")
    head = f"  {'figure':<44} {'now':>10} {'goal':>8}  {'':<8}"
    if earlier:
        head += f" {'before':>10} {'change':>8}"
    print(head)
    for name, (what, goal) in FIGURES.items():
        fig = res.figures.get(name)
        value = fig["seconds"] if fig else None
        verdict = "" if value is None or goal is None else ("met" if value <= goal else "over")
        if fig and not fig["ok"]:
            verdict = "FAILED" if value is None else verdict + "; tests failed"
        line = f"  {what:<44} {seconds(value):>10} {fmt_goal(goal):>8}  {verdict:<8}"
        if earlier:
            old = earlier.get("figures", {}).get(name, {}).get("seconds")
            change = f"{(value - old) / old * 100:+.0f}%" if value is not None and old else ""
            line += f" {seconds(old):>10} {change:>8}"
        print(line)
    if earlier:
        print(f"  (before: {earlier_name}, commit {earlier.get('commit', '?')}, {earlier.get('date', '?')})")


def machine_facts(source: str, jobs: int, preset: str, pending: int) -> dict:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=source, capture_output=True,
                            text=True).stdout.strip()
    qemu_version = subprocess.run([qemu.find_tool("qemu-system-x86_64", "qemu-system-x86"), "--version"],
                                  capture_output=True, text=True).stdout.splitlines()[:1]
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": commit + (f" +{pending} uncommitted" if pending else ""),
            "cpus": os.cpu_count(), "jobs": jobs, "preset": preset,
            "qemu": qemu_version[0] if qemu_version else "?"}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source", required=True, help="the workbook's root directory")
    p.add_argument("--preset", default="default")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("--stage", action="append", default=[], help="time only these stages' main kernels")
    p.add_argument("--build-dir", help="--skip-build: measure this existing build, without clones")
    p.add_argument("--keep", action="store_true", help="keep the temporary clones")
    p.add_argument("--json", metavar="FILE", help="write the figures to FILE")
    p.add_argument("--compare", metavar="FILE", help="show the figures next to those of an earlier --json")
    p.add_argument("--no-host-benchmarks", action="store_true", help="leave out the host benchmarks")
    p.add_argument("--limit", type=float, default=5.0,
                   help="seconds a main kernel may run before it counts as still running (default 5)")
    p.add_argument("--run-window", type=float, default=2.0,
                   help="seconds `run` lets the kernel run before its screen is read (default 2)")
    p.add_argument("--run-expect", default="async number: 42",
                   help="text the last stage's screen must show (default 'async number: 42')")
    a = p.parse_args()
    a.runs = max(1, a.runs)
    a.source = os.path.abspath(a.source)

    earlier = None
    if a.compare:
        try:
            with open(a.compare) as f:
                earlier = json.load(f)
        except (OSError, ValueError) as e:
            raise SystemExit(f"bench: cannot read {a.compare}: {e}")
    pending = uncommitted(a.source)
    facts = machine_facts(a.source, a.jobs, a.preset, pending)
    print(f"bench: {facts['cpus']} CPUs, -j{a.jobs}, {facts['qemu']} (TCG), preset {a.preset}, "
          f"commit {facts['commit']}, {a.runs} runs per kernel", flush=True)
    res = Result()
    tmp = tempfile.mkdtemp(prefix="workbook-bench-")
    env = dict(os.environ, CCACHE_DISABLE="1")
    try:
        if a.build_dir:
            build = a.build_dir
            heading(f"--skip-build: no fresh clones; measuring {build}")
        else:
            if pending:
                say(f"{pending} uncommitted change(s) are copied into the clones")
            first_run(a, tmp, env, res)
            build = first_test(a, tmp, env, res)
            if build is None:
                raise SystemExit("bench: the fresh clone has no build directory after `./workbook test`")
            repo = os.path.dirname(build)
            heading("edit -> test cycles in the clone")
            last = last_stage(a.source)
            edit_cycle(a, "edit_last", repo, last, EDIT_LAST_SOURCE, last[:2].lstrip("0"), env, tmp, res)
            early = stage_dir(a.source, EDIT_EARLY[0])
            if early:
                edit_cycle(a, "edit_early", repo, early, EDIT_EARLY[1], EDIT_EARLY[0].lstrip("0"), env, tmp, res)
        ctest_wall(a, build, tmp, res)
        boots(a, build, res)
        if not a.no_host_benchmarks:
            host_benchmarks(build)
        summary(res, earlier, a.compare or "")
        if a.json:
            with open(a.json, "w") as f:
                json.dump({**facts, "goals": {k: g for k, (_, g) in FIGURES.items()},
                           "figures": res.figures}, f, indent=2)
                f.write("\n")
            print(f"\nbench: wrote {a.json}")
    finally:
        if a.keep:
            print(f"\nbench: kept the clones and logs in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
