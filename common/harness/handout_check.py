#!/usr/bin/env python3
"""The CTest test <stage>/labs_handout: a stage's handout builds and grades above 0 and below
full marks (its labs are stubbed, the rest of the stage works).

    handout_check.py --root ROOT --stage NN-name --work DIR --cxx CXX --cc CC

Writes the handout with `./workbook handout STAGE --to DIR/tree` (DIR is emptied first),
configures it with the given compilers but without the host tests (GoogleTest is left out, to
keep the check to one kernel build of the stage), builds the stage's kernels and grades them
with grade.py --expect partial. Exit status 0 when all of that holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time


def run(argv: list[str], what: str, **kwargs) -> None:
    start = time.monotonic()
    print("+ " + " ".join(argv), flush=True)
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    if r.returncode != 0:
        print(r.stdout[-6000:])
        print(f"handout_check: {what} failed (status {r.returncode})")
        sys.exit(1)
    print(f"  {what}: {time.monotonic() - start:.1f} s", flush=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", required=True)
    p.add_argument("--stage", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--cxx", required=True)
    p.add_argument("--cc", required=True)
    a = p.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    tree, build = os.path.join(a.work, "tree"), os.path.join(a.work, "tree", "build")
    run([sys.executable, os.path.join(a.root, "workbook"), "handout", a.stage, "--to", tree, "--no-install"],
        "writing the handout")
    run(["cmake", "-S", tree, "-B", build, "-G", "Ninja", f"-DCMAKE_CXX_COMPILER={a.cxx}",
         f"-DCMAKE_C_COMPILER={a.cc}", "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
         "-DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON", "-DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON"],
        "configuring it")
    run(["cmake", "--build", build, "-j2", "--target", a.stage], f"building {a.stage}'s kernels")
    argv = [sys.executable, os.path.join(tree, "common", "harness", "grade.py"), "--root", tree,
            "--build-dir", build, "--stage", a.stage, "--exclude-label", "host", "--expect", "partial",
            "--jobs", "2"]
    print("+ " + " ".join(argv), flush=True)
    status = subprocess.run(argv).returncode
    if status == 0:
        shutil.rmtree(a.work, ignore_errors=True)  # a kernel build's worth of disk
    return status


if __name__ == "__main__":
    sys.exit(main())
