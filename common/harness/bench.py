#!/usr/bin/env python3
"""Measures the workbook (what `./workbook bench` prints). Nothing here passes or fails.

1. A clean configure and build of every stage, in a temporary build directory.
2. Boot times under QEMU (TCG), median of several runs, counted from starting QEMU (so they
   include the firmware and GRUB): to the kernel's first serial line, and to the point where it
   exits through isa-debug-exit or halts for good (HLT with interrupts off in its own code).
   Timed: one kernel that exits (a stage's exit-mode test kernel, preferring `basic_boot`; until a
   stage has one, the harness's exit_failure kernel) and each stage's main kernel.
3. The wall time of the test suite (`ctest -j`, without host benchmarks).
4. Host benchmarks: tests labeled `bench` and executables named *_bench, run with their output
   shown, or a note that there are none yet.
"""

from __future__ import annotations

import argparse
import json
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


def heading(text: str) -> None:
    print(f"\n== {text}", flush=True)


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def timed(argv: list[str], **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    start = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    return time.monotonic() - start, proc


def require(proc: subprocess.CompletedProcess, what: str) -> None:
    if proc.returncode != 0:
        print(proc.stdout[-6000:] + proc.stderr[-6000:])
        raise SystemExit(f"bench: {what} failed (status {proc.returncode})")


# --- boot timing ---------------------------------------------------------------------------------

class Boot:
    """One boot: seconds to the first serial line and to exit/halt (None: did not happen)."""

    def __init__(self, iso: str, elf: str | None, limit: float):
        self.first_line: float | None = None
        self.end: float | None = None
        self.how = "still running"
        text_range = qemu.symbol_range(elf, "__text_start", "__text_end") if elf else None
        m = qemu.Machine(iso)
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


def time_kernel(label: str, iso: str, elf: str | None, runs: int, limit: float) -> None:
    boots = [Boot(iso, elf, limit)]
    if boots[0].end is not None:  # a kernel that never stops is timed once, not `runs` times
        boots += [Boot(iso, elf, limit) for _ in range(runs - 1)]
    firsts = [b.first_line for b in boots if b.first_line is not None]
    ends = [b.end for b in boots if b.end is not None]
    how = ", ".join(sorted({b.how for b in boots}))
    first = seconds(statistics.median(firsts)) if firsts else "no serial"
    end = seconds(statistics.median(ends)) if ends else f"> {limit:g} s"
    spread = f"{min(ends):.2f}..{max(ends):.2f}" if len(ends) > 1 else ""
    print(f"  {label:<38} {first:>12} {end:>10} {spread:>12}  {how} ({len(boots)} run{'s' * (len(boots) > 1)})",
          flush=True)


def exit_kernel(build: str) -> tuple[str, str, str | None]:
    """A kernel that exits through isa-debug-exit: a stage's exit-mode test kernel if any."""
    out = subprocess.run(["ctest", "--test-dir", build, "--show-only=json-v1"], capture_output=True, text=True)
    candidates = []
    try:
        tests = json.loads(out.stdout).get("tests", [])
    except ValueError:
        tests = []
    for t in tests:
        cmd = t.get("command") or []
        labels = [v for p in t.get("properties", []) if p.get("name") == "LABELS" for v in p.get("value", [])]
        if not any(re.fullmatch(r"\d\d-.+", label) for label in labels):
            continue
        if not any(c.endswith("harness.py") for c in cmd) or "--iso" not in cmd:
            continue
        if "halt" in cmd[cmd.index("--expect") + 1:cmd.index("--expect") + 2] if "--expect" in cmd else False:
            continue
        iso = cmd[cmd.index("--iso") + 1]
        elf = cmd[cmd.index("--elf") + 1] if "--elf" in cmd else None
        candidates.append((t["name"].endswith("/basic_boot"), t["name"], iso, elf))
    if candidates:
        candidates.sort(key=lambda c: (c[0], c[1]))
        _, name, iso, elf = candidates[-1]
        return f"{name} (test kernel)", iso, elf
    iso = os.path.join(build, "common", "exit_failure.iso")
    return "harness exit_failure (exits at once)", iso, os.path.join(build, "common", "exit_failure.elf")


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
        print("  none yet: no CTest test labeled `bench` and no executable named *_bench in the build.\n"
              "  (Host benchmarks built with Google Benchmark will be run and shown here.)")
        return
    if tests:
        print(f"  CTest tests labeled bench: {', '.join(tests)}", flush=True)
        subprocess.run(["ctest", "--test-dir", build, "-L", "^bench$", "-V"])
    for exe in sorted(executables):
        if os.path.basename(exe) in {t.split("/")[-1] for t in tests}:
            continue  # already run through CTest
        print(f"  {os.path.relpath(exe, build)}:", flush=True)
        subprocess.run([exe], cwd=os.path.dirname(exe))


# --- main ----------------------------------------------------------------------------------------

def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--source", required=True, help="the workbook's root directory")
    p.add_argument("--preset", default="default")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("--stage", action="append", default=[], help="time only these stages' kernels")
    p.add_argument("--build-dir", help="measure this existing build instead of a clean one")
    p.add_argument("--keep", action="store_true", help="keep the temporary build directory")
    p.add_argument("--limit", type=float, default=5.0,
                   help="seconds a kernel may run before it counts as still running (default 5)")
    a = p.parse_args()
    a.runs = max(1, a.runs)

    print(f"bench: {os.cpu_count()} CPUs, QEMU with TCG, preset {a.preset}, {a.runs} runs per kernel")
    tmp = None
    if a.build_dir:
        build = a.build_dir
        heading(f"build: skipped, using {build}")
    else:
        tmp = tempfile.mkdtemp(prefix="workbook-bench-")
        build = tmp
    try:
        if tmp:
            heading("clean configure and build of every stage")
            t_conf, proc = timed(["cmake", "--preset", a.preset, "-B", build], cwd=a.source)
            require(proc, "configuring")
            t_build, proc = timed(["cmake", "--build", build, "-j", str(a.jobs)], cwd=a.source)
            require(proc, "building")
            kernels = sum(1 for _, _, files in os.walk(build) for f in files if f.endswith(".iso"))
            print(f"  configure {t_conf:6.2f} s\n  build     {t_build:6.2f} s  ({kernels} kernel ISOs, -j{a.jobs})\n"
                  f"  total     {t_conf + t_build:6.2f} s", flush=True)

        heading(f"boot time under QEMU/TCG, from starting QEMU (median of {a.runs})")
        print(f"  {'kernel':<38} {'first line':>12} {'exit/halt':>10} {'min..max':>12}  how it ended")
        label, iso, elf = exit_kernel(build)
        if os.path.exists(iso):
            time_kernel(label, iso, elf, a.runs, 20.0)
        stage_dirs = sorted(d for d in os.listdir(a.source) if re.fullmatch(r"\d\d-.+", d)
                            and os.path.exists(os.path.join(build, d, "kernel.iso")))
        for stage in stage_dirs:
            if a.stage and stage not in a.stage:
                continue
            time_kernel(f"{stage} kernel", os.path.join(build, stage, "kernel.iso"),
                        os.path.join(build, stage, "kernel.elf"), a.runs, a.limit)
        print("  (first line: serial output, which stages 01-03 do not have; a kernel that neither exits\n"
              f"   nor halts within {a.limit:g} s, such as one waiting for interrupts, is booted once)")

        heading("test suite wall time")
        t_tests, proc = timed(["ctest", "--test-dir", build, "-j", str(a.jobs), "-LE", "^bench$"])
        summary = [l for l in proc.stdout.splitlines() if "tests passed" in l]
        print(f"  ctest -j{a.jobs}: {t_tests:.2f} s  ({summary[-1].strip() if summary else 'no summary'})")
        if proc.returncode != 0:
            failed = [l.strip() for l in proc.stdout.splitlines() if re.search(r"\(Failed|\(Timeout|\*\*\*", l)]
            print("  failing tests (measured anyway):\n    " + "\n    ".join(failed))

        host_benchmarks(build)
    finally:
        if tmp and not a.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp:
            print(f"\nbench: kept the build in {tmp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
