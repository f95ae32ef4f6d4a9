#!/usr/bin/env python3
"""Checks that `./workbook debug` stops where the learner looks: on the stage's own source lines.

    debug_lines.py WORKBOOK STAGE

Runs `WORKBOOK debug STAGE --batch --headless --ex next --ex next` (the driver builds the stage in
its debug tree, boots it under QEMU and attaches GDB, stopped at kernel_main) and checks what GDB
reported:
  - the breakpoint is in kernel_main at STAGE/src/main.cpp (not in an inlined header such as the
    spinlock's, where an optimised build puts it);
  - each `next` shows a line of main.cpp further down than the one before.
Exit status: 0 when both hold, 1 otherwise.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys


def main() -> int:
    driver, stage = os.path.abspath(sys.argv[1]), sys.argv[2]
    r = subprocess.run([sys.executable, driver, "debug", stage, "--batch", "--headless", "--no-install",
                        "--ex", "next", "--ex", "next"],
                       capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    out = r.stdout + r.stderr
    source = os.path.join(os.path.dirname(driver), stage, "src", "main.cpp")
    stop = re.search(r"^Breakpoint 1, kernel_main \(.*\) at (\S+):(\d+)$", out, re.M)
    problems = []
    if r.returncode != 0:
        problems.append(f"`workbook debug` exited with status {r.returncode}")
    if stop is None:
        problems.append("GDB did not report stopping at kernel_main")
    elif os.path.realpath(stop.group(1)) != os.path.realpath(source):
        problems.append(f"GDB stopped in kernel_main at {stop.group(1)}:{stop.group(2)}, not in {source}")
    else:
        # After the breakpoint GDB prints the source line it stopped on ("49\t...") and one line
        # for each `next`.
        after = out[stop.end():]
        lines = [int(n) for n in re.findall(r"^(\d+)\t", after, re.M)]
        first = int(stop.group(2))
        if len(lines) < 3:
            problems.append(f"GDB printed {len(lines)} source lines after the stop, not 3 (one per next)")
        elif not first == lines[0] < lines[1] < lines[2]:
            problems.append(f"the lines do not go down main.cpp: stop at {first}, then {lines[:3]}")
        else:
            print(f"debug_lines: kernel_main at {stage}/src/main.cpp:{first}, "
                  f"then `next` to lines {lines[1]} and {lines[2]}")
    for p in problems:
        print(f"debug_lines: FAILED: {p}")
    if problems:
        print("debug_lines: the driver's output was:\n" + out)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
