#!/usr/bin/env python3
"""Runs a stage's libFuzzer targets for a while each and reports what they did (`./workbook fuzz`).

    fuzz.py --build-dir BUILD --stage-dir STAGE_SOURCE --stage NAME [--time S] [TARGET...]

A target <name> is the executable BUILD/<stage>/fuzz_<name>, with its seed corpus in
STAGE_SOURCE/host/fuzz/<name>/. Each runs for --time seconds (libFuzzer's -max_total_time) on a
working corpus BUILD/<stage>/fuzz/<name>/corpus/, which starts from the seeds and keeps what the
fuzzer finds between runs; the seeds in the repository are only read. A crash, a sanitizer report
or a broken check of the target leaves its input in BUILD/<stage>/fuzz/<name>/ (crash-*, leak-*,
timeout-*), and this prints how to replay it.

Prints one line per target: executions, executions per second, corpus size, coverage, verdict.
Exit status: 0 when every target ran its time without a finding, 1 otherwise.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import subprocess
import sys
import time


def artifacts_in(work: str) -> list[str]:
    """The inputs libFuzzer kept because something went wrong with them."""
    return [path for kind in ("crash", "leak", "timeout", "oom", "slow-unit")
            for path in glob.glob(os.path.join(work, f"{kind}-*"))]


def run_target(exe: str, seeds: str, work: str, seconds: float) -> dict:
    corpus = os.path.join(work, "corpus")
    os.makedirs(corpus, exist_ok=True)
    before = set(artifacts_in(work))
    argv = [exe, f"-max_total_time={max(1, round(seconds))}", "-print_final_stats=1",
            f"-artifact_prefix={work}/", "-rss_limit_mb=2048", corpus, seeds]
    started = time.monotonic()
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace")
    elapsed = time.monotonic() - started
    log = r.stderr
    with open(os.path.join(work, "last-run.log"), "w") as f:
        f.write(log)
    runs = re.search(r"^stat::number_of_executed_units:\s*(\d+)", log, re.M)
    done = re.search(r"Done (\d+) runs in (\d+) second", log)
    cov = re.findall(r"\bcov: (\d+)", log)
    artifacts = sorted(set(artifacts_in(work)) - before)
    executions = int(runs.group(1)) if runs else int(done.group(1)) if done else None
    # A target may count its own unit of work (allocator_fuzz: operations) and say so at exit.
    operations = re.search(r"^\w+_fuzz: (\d+) allocator operations$", log, re.M)
    return {
        "status": r.returncode,
        "executions": executions,
        "seconds": elapsed,
        "corpus": len(os.listdir(corpus)),
        "operations": int(operations.group(1)) if operations else None,
        "coverage": int(cov[-1]) if cov else None,
        "artifacts": artifacts,
        "log": log,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-dir", required=True)
    p.add_argument("--stage-dir", required=True, help="the stage's source directory")
    p.add_argument("--stage", required=True, help="the stage's name (its directory's name)")
    p.add_argument("--time", type=float, default=60.0, metavar="SECONDS", help="per target (default 60)")
    p.add_argument("targets", nargs="*", metavar="TARGET")
    a = p.parse_args()

    seeds_root = os.path.join(a.stage_dir, "host", "fuzz")
    available = sorted(d for d in os.listdir(seeds_root) if os.path.isdir(os.path.join(seeds_root, d))) \
        if os.path.isdir(seeds_root) else []
    targets = a.targets or available
    unknown = [t for t in targets if t not in available]
    if unknown:
        print(f"fuzz: error: {a.stage} has no fuzz target {', '.join(unknown)}; its targets: "
              f"{', '.join(available) or '(none)'}", file=sys.stderr)
        return 2
    findings = 0
    rows = []
    for name in targets:
        exe = os.path.join(a.build_dir, a.stage, f"fuzz_{name}")
        if not os.access(exe, os.X_OK):
            print(f"fuzz: error: {exe} was not built", file=sys.stderr)
            return 2
        work = os.path.join(a.build_dir, a.stage, "fuzz", name)
        print(f"fuzz: {a.stage}/{name} for {a.time:g} s ...", flush=True)
        res = run_target(exe, os.path.join(seeds_root, name), work, a.time)
        ok = res["status"] == 0 and not res["artifacts"]
        if not ok:
            findings += 1
            print(f"fuzz: FINDING in {name} (libFuzzer exit status {res['status']}):")
            tail = [line for line in res["log"].splitlines() if line.strip()][-25:]
            print("\n".join("    " + line for line in tail))
            for art in res["artifacts"]:
                print(f"fuzz: the input is {os.path.relpath(art)}; replay it with: {exe} {art}")
            print(f"fuzz: then copy it into {os.path.relpath(os.path.join(seeds_root, name))}/ "
                  "with the fix, so CTest keeps checking it")
        rows.append((name, res, ok))
    print()
    print(f"{'target':<12} {'executions':>12} {'exec/s':>10} {'corpus':>7} {'coverage':>9}  verdict")
    notes = []
    for name, res, ok in rows:
        ex = res["executions"]
        rate = f"{ex / res['seconds']:.0f}" if ex is not None and res["seconds"] > 0 else "?"
        print(f"{name:<12} {ex if ex is not None else '?':>12} {rate:>10} {res['corpus']:>7} "
              f"{res['coverage'] if res['coverage'] is not None else '?':>9}  {'ok' if ok else 'FINDING'}")
        if res["operations"] is not None:
            notes.append(f"{name}: {res['operations']} allocator operations "
                         f"({res['operations'] / res['seconds']:.0f} per second), each checked against the model")
    total = sum(res["executions"] or 0 for _, res, _ in rows)
    print(f"{'all':<12} {total:>12}")
    for note in notes:
        print(note)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
