#!/usr/bin/env python3
"""Checks that a signal which ends the driver (or the harness) ends the emulator it started.

    signal_cleanup.py --signals TERM,HUP,KILL -- COMMAND...

For each signal: starts COMMAND (run.py or harness.py booting a kernel that never ends), with an
extra `-name TOKEN` for QEMU so that its process can be told from any other QEMU on the machine;
waits until that QEMU runs; sends the signal to COMMAND; then checks that COMMAND ends (with
status 128 + the signal's number for SIGTERM and SIGHUP, which it handles, or killed by SIGKILL,
which nothing can handle) and that the QEMU is gone within a few seconds. A QEMU left behind is
killed here and reported as orphaned.

Exit status: 0 when every signal ended its QEMU, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time


def processes_with(token: str) -> list[int]:
    """PIDs of QEMU processes whose command line holds token."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
            with open(f"/proc/{entry}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue  # it ended while we looked
        if token.encode() in argv and comm.startswith("qemu"):
            found.append(int(entry))
    return found


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def check(sig: signal.Signals, command: list[str]) -> str | None:
    """None when sig ended COMMAND and its QEMU; otherwise what went wrong."""
    token = f"workbook-signal-test-{os.getpid()}-{sig.name}"
    argv = command + ["--qemu-arg=-name", f"--qemu-arg={token}"]
    # The output goes to a file, not a pipe: an orphaned QEMU would hold a pipe open for ever.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)

    def output() -> str:
        log.seek(0)
        return log.read().decode(errors="replace")

    try:
        if not wait_for(lambda: processes_with(token) or proc.poll() is not None, 20):
            return f"QEMU did not start within 20 s (looked for -name {token})"
        if proc.poll() is not None:
            return f"the command ended (status {proc.returncode}) before the signal:\n{output()}"
        time.sleep(0.5)  # let the kernel boot and settle into its endless loop
        qemu_pids = processes_with(token)
        proc.send_signal(sig)
        try:
            status = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            return f"the command did not end within 15 s of {sig.name}"
        if not wait_for(lambda: not processes_with(token), 5):
            left = processes_with(token)
            for pid in left:
                os.kill(pid, signal.SIGKILL)
            return (f"QEMU (pid {', '.join(map(str, left))}) was still running 5 s after {sig.name} "
                    f"ended the command that started it: orphaned (killed now)")
        expected = -sig.value if sig == signal.SIGKILL else 128 + sig.value
        if status != expected:
            return f"the command ended with status {status} on {sig.name}, not {expected}:\n{output()}"
        print(f"signal_cleanup: {sig.name}: the command ended with status {status}, "
              f"and its QEMU (pid {', '.join(map(str, qemu_pids))}) with it")
        return None
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid in processes_with(token):
            os.kill(pid, signal.SIGKILL)
        log.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--signals", default="TERM,HUP,KILL", help="comma-separated signal names")
    p.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command that starts QEMU")
    a = p.parse_args()
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not command:
        p.error("no command after --")
    failed = 0
    for name in a.signals.split(","):
        sig = signal.Signals["SIG" + name.strip().upper().removeprefix("SIG")]
        problem = check(sig, command)
        if problem:
            print(f"signal_cleanup: FAILED: {sig.name}: {problem}")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
