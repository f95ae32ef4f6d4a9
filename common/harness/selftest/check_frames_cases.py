#!/usr/bin/env python3
"""check_frames.py's checks on made-up serial output: a good map passes, and each kind of wrong
frame run (in a reserved region, across two regions, over the kernel, the boot information or the
first MiB, out of order, a count that does not add up, no map at all) is reported."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import check_frames  # noqa: E402

MAP = """memory_map: region 0x0-0x9fc00 usable
memory_map: region 0x9fc00-0xa0000 reserved
memory_map: region 0x100000-0x800000 usable
memory_map: region 0x800000-0x808000 ACPI NVS
memory_map: region 0x808000-0x7fe0000 usable
memory_map: kernel 0x100000-0x16a000
memory_map: boot_info 0x16a000-0x16b000
"""


def serial(runs, count=None):
    frames = sum((b - a) // 4096 for a, b in runs)
    lines = [f"memory_map: frames {a:#x}-{b:#x}" for a, b in runs]
    return MAP + "\n".join(lines) + f"\nmemory_map: allocated {frames if count is None else count} frames here, 0 before the test\n"


CASES = [
    ("good", serial([(0x16b000, 0x800000), (0x808000, 0x7fe0000)]), None),
    ("in a reserved region", serial([(0x16b000, 0x808000)]), "overlaps the ACPI NVS region"),
    ("across two usable regions", serial([(0x16b000, 0x800000), (0x7ff000, 0x809000)]), "not inside one usable region"),
    ("over the kernel", serial([(0x160000, 0x800000)]), "overlaps the kernel"),
    ("over the boot information", serial([(0x16a000, 0x800000)]), "overlaps the boot_info"),
    ("in the first MiB", serial([(0x1000, 0x9f000), (0x16b000, 0x800000)]), "overlaps the first MiB"),
    ("out of order", serial([(0x808000, 0x900000), (0x16b000, 0x800000)]), "not after the previous run"),
    ("miscounted", serial([(0x16b000, 0x800000)], count=7), "the kernel says it allocated 7"),
    ("no map", "memory_map: frames 0x200000-0x300000\n", "printed no memory map"),
]

failed = 0
for name, text, expected in CASES:
    problems, _ = check_frames.check(text)
    if expected is None and problems:
        print(f"check_frames_cases: {name}: expected no problem, got {problems}")
        failed += 1
    elif expected is not None and not any(expected in p for p in problems):
        print(f"check_frames_cases: {name}: expected a problem with {expected!r}, got {problems or 'none'}")
        failed += 1
    else:
        print(f"check_frames_cases: {name}: ok")
sys.exit(1 if failed else 0)
