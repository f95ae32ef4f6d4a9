#!/usr/bin/env python3
"""check_frames.py -- HARNESS COMMAND...

Runs a harness command that boots a memory-map test kernel (tests/memory_map.cpp in stages 09
on) and checks, outside the kernel, what it printed on serial: the firmware's memory map
(`memory_map: region START-END KIND`), the kernel image and the boot information
(`memory_map: kernel ...`, `boot_info ...`), and every frame the frame allocator handed out, as
runs of consecutive frames (`memory_map: frames START-END`). Passes when the harness passed and
each run lies inside one usable region, overlaps no other region, the kernel, the boot
information or the first MiB, and the runs are in address order without overlaps. The harness
command gets --serial-log added, so any harness arguments (--firmware uefi) work."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile

LOW_MEMORY_END = 1 << 20
LINE = re.compile(r"^memory_map: (region|kernel|boot_info|frames) (0x[0-9a-f]+)-(0x[0-9a-f]+)(?: (\S.*?))?\s*$", re.M)
COUNT = re.compile(r"^memory_map: allocated (\d+) frames here", re.M)


def check(serial: str) -> tuple[list[str], str]:
    """Problems found, and a one-line summary."""
    regions, runs, keep = [], [], {}
    for kind, start, end, what in LINE.findall(serial):
        r = (int(start, 16), int(end, 16))
        if kind == "region":
            regions.append((r, what))
        elif kind == "frames":
            runs.append(r)
        else:
            keep[kind] = r
    problems = []
    if not regions:
        problems.append("the kernel printed no memory map")
    for name in ("kernel", "boot_info"):
        if name not in keep:
            problems.append(f"the kernel did not print its {name} range")
    count = COUNT.search(serial)
    if not runs or not count:
        problems.append("the kernel printed no allocated frames")
    keep["first MiB"] = (0, LOW_MEMORY_END)
    overlaps = lambda a, b: a[0] < b[1] and b[0] < a[1]  # noqa: E731
    previous = 0
    for run in runs:
        text = f"frames {run[0]:#x}-{run[1]:#x}"
        if run[0] % 4096 or run[1] % 4096 or run[1] <= run[0]:
            problems.append(f"{text}: not a whole number of 4 KiB frames")
        if run[0] < previous:
            problems.append(f"{text}: not after the previous run (ends {previous:#x})")
        previous = run[1]
        if not any(kind == "usable" and r[0] <= run[0] and run[1] <= r[1] for r, kind in regions):
            problems.append(f"{text}: not inside one usable region")
        for r, kind in regions:
            if kind != "usable" and overlaps(r, run):
                problems.append(f"{text}: overlaps the {kind} region {r[0]:#x}-{r[1]:#x}")
        for name, r in keep.items():
            if overlaps(r, run):
                problems.append(f"{text}: overlaps the {name} {r[0]:#x}-{r[1]:#x}")
    frames = sum((b - a) // 4096 for a, b in runs)
    if count and frames != int(count.group(1)):
        problems.append(f"the runs hold {frames} frames, the kernel says it allocated {count.group(1)}")
    usable = sum(1 for _, kind in regions if kind == "usable")
    summary = (f"{len(regions)} regions in the map ({usable} usable), {len(runs)} runs of allocated "
               f"frames, {frames} frames ({frames * 4096 >> 20} MiB)")
    return problems, summary


def main() -> int:
    command = sys.argv[1:]
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        print(__doc__)
        return 2
    fd, log = tempfile.mkstemp(prefix="workbook-frames-", suffix=".log")
    os.close(fd)
    try:
        proc = subprocess.run(command + ["--serial-log", log], capture_output=True, text=True)
        print(proc.stdout, end="")
        print(proc.stderr, end="", file=sys.stderr)
        with open(log, encoding="utf-8", errors="replace") as f:
            serial = f.read().replace("\r", "")
    finally:
        os.unlink(log)
    if proc.returncode != 0:
        print(f"check_frames: the harness failed (status {proc.returncode}); the frames were not checked")
        return proc.returncode
    problems, summary = check(serial)
    if problems:
        print("check_frames: the serial output:\n" + "\n".join("    | " + l for l in serial.splitlines()
                                                              if l.startswith("memory_map:")))
        for problem in problems:
            print(f"check_frames: WRONG VALUE: {problem}")
        return 6
    print(f"check_frames: PASS: {summary}; every run inside a usable region, clear of the other "
          "regions, the kernel, the boot information and the first MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
