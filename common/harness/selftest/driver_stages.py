#!/usr/bin/env python3
"""Checks the driver's stage list: found from the directories, not written down.

    driver_stages.py WORKBOOK

Runs `WORKBOOK run 99` (a stage that does not exist) and checks that it fails with the usage
status 2 before building anything, naming every NN-name directory beside WORKBOOK that has a
CMakeLists.txt, once each and in order, with its short names: "(or 3, 03)" for 03-vga but
"(or 12)" for 12-async, never "(or 12, 12)".
Exit status: 0 when it does, 1 otherwise.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys


def main() -> int:
    driver = os.path.abspath(sys.argv[1])
    root = os.path.dirname(driver)
    expected = sorted(d for d in os.listdir(root)
                      if re.fullmatch(r"\d\d-[A-Za-z0-9_.-]+", d)
                      and os.path.isfile(os.path.join(root, d, "CMakeLists.txt")))
    r = subprocess.run([sys.executable, driver, "run", "99", "--no-install"], capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    listed = re.findall(r"^  (\d\d-\S+)\s+\(or ([^)]*)\)$", r.stderr, re.M)
    problems = []
    if r.returncode != 2:
        problems.append(f"exit status {r.returncode}, not 2 (a usage error)")
    if "unknown stage '99'" not in r.stderr:
        problems.append("the message does not say the stage is unknown")
    if [name for name, _ in listed] != expected:
        problems.append(f"it lists {[name for name, _ in listed]}, not the directories {expected}")
    for name, short in listed:
        number = str(int(name[:2]))
        want = number if number == name[:2] else f"{number}, {name[:2]}"
        if short != want:
            problems.append(f"{name} is listed as (or {short}), not (or {want})")
    if r.stdout.strip():
        problems.append(f"it printed on standard output (did it start a build?):\n{r.stdout}")
    for p in problems:
        print(f"driver_stages: FAILED: {p}")
    if problems:
        print(f"driver_stages: its standard error was:\n{r.stderr}")
        return 1
    print(f"driver_stages: `run 99` is a usage error listing the {len(expected)} stages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
