#!/usr/bin/env python3
"""expect_verdict.py --verdict WORD [--output TEXT]... -- COMMAND...

Runs a harness command that must fail, and passes only if it failed with the expected verdict
(the `harness: WORD:` line), a non-zero status, and output containing every TEXT. Used to test
the harness itself, and for kernels whose failure is the expected result (the bump allocator's
many_boxes_long_lived)."""

import argparse
import subprocess
import sys

p = argparse.ArgumentParser()
p.add_argument("--verdict", required=True)
p.add_argument("--output", action="append", default=[], help="text the harness output must also contain")
p.add_argument("command", nargs=argparse.REMAINDER)
a = p.parse_args()
command = a.command[1:] if a.command[:1] == ["--"] else a.command
proc = subprocess.run(command, capture_output=True, text=True)
print(proc.stdout, end="")
print(proc.stderr, end="", file=sys.stderr)
verdicts = [line for line in proc.stdout.splitlines() if line.startswith("harness: ")
            and line.split(":")[1].strip().isupper()]
if proc.returncode == 0:
    print(f"expect_verdict: the harness passed a kernel that should have been reported as {a.verdict}")
    sys.exit(1)
if not any(line.startswith(f"harness: {a.verdict}:") for line in verdicts):
    print(f"expect_verdict: expected the verdict {a.verdict!r}, got {verdicts or 'none'}")
    sys.exit(1)
for text in a.output:
    if text not in proc.stdout:
        print(f"expect_verdict: the verdict is {a.verdict}, but the output lacks {text!r}")
        sys.exit(1)
print(f"expect_verdict: the harness reported {a.verdict} with status {proc.returncode}, as it should")
