#!/usr/bin/env python3
"""Checks that GDB can debug a workbook kernel: attach to QEMU's GDB stub, stop at a symbol.

Starts QEMU halted before the first instruction (-S) with its GDB stub on a free local port,
then runs GDB in batch mode with the commands `./workbook debug` uses:

    set architecture i386:x86-64     (the CPU starts in 16/32-bit mode; the kernel is 64-bit)
    target remote 127.0.0.1:PORT
    hbreak kernel_main               (a hardware breakpoint survives the mode switches)
    continue

and then asks where the CPU stopped. Passes when GDB reports the breakpoint in the symbol, RIP
lies inside the symbol (its address and size from `nm -S`), the frame names the symbol, and a
`stepi` from there moves RIP (single-stepping works in 64-bit mode).

Exit status: 0 pass, 1 fail, 77 when gdb is not installed (CTest reports the test as skipped).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qemu  # noqa: E402

SKIP = 77


def gdb_setup_commands(port: int, symbol: str = "kernel_main") -> list[str]:
    """GDB commands that attach to QEMU and run the kernel to `symbol` (the ELF is GDB's file)."""
    return [
        # QEMU's stub describes the 64-bit register set while the CPU still runs 32-bit boot code;
        # telling GDB the architecture up front avoids "Remote 'g' packet reply is too long".
        "set architecture i386:x86-64",
        f"target remote 127.0.0.1:{port}",
        # A software breakpoint would be written into memory before GRUB loads the kernel there;
        # a hardware one (a debug register) is kept by QEMU across all of boot.
        f"hbreak {symbol}",
        "continue",
    ]


def gdb_argv(gdb: str, elf: str, commands: list[str], batch: bool) -> list[str]:
    argv = [gdb, "-q"]
    if batch:
        argv += ["-batch", "-nx"]
    argv.append(elf)
    for c in commands:
        argv += ["-ex", c]
    return argv


def symbol_extent(elf: str, symbol: str) -> tuple[int, int] | None:
    """Address and size of a symbol, from `nm -S` (size 1 for an assembly label without one)."""
    out = subprocess.run(["nm", "-S", elf], capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3] == symbol:
            return int(parts[0], 16), max(int(parts[1], 16), 1)
        if len(parts) == 3 and parts[2] == symbol:
            return int(parts[0], 16), 1
    return None


def start_qemu(iso: str, attempts: int = 3) -> tuple[qemu.Machine, int]:
    """QEMU waiting for GDB on a free port (another port if that one was taken meanwhile)."""
    for _ in range(attempts):
        port = qemu.free_tcp_port()
        m = qemu.Machine(iso, gdb_port=port)
        time.sleep(0.1)
        if m.exited() is None and m.monitor is not None:
            return m, port
        err = m.stderr()
        m.stop()
        if "bind" not in err.lower() and "address already in use" not in err.lower():
            raise SystemExit(f"gdb_check: QEMU did not start: {err.strip()}")
    raise SystemExit("gdb_check: could not find a free port for QEMU's GDB stub")


def fail(message: str, output: str) -> int:
    print("gdb_check: GDB output:")
    print("\n".join("    | " + line for line in output.rstrip().split("\n")))
    print(f"gdb_check: FAIL: {message}")
    return 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iso", required=True)
    p.add_argument("--elf", required=True)
    p.add_argument("--break", dest="symbol", default="kernel_main", help="symbol to stop at")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds GDB may take")
    a = p.parse_args()

    gdb = shutil.which("gdb")
    if gdb is None:
        print("gdb_check: SKIP: gdb is not installed (Debian package gdb; ./workbook test installs it)")
        return SKIP
    extent = symbol_extent(a.elf, a.symbol)
    if extent is None:
        print(f"gdb_check: FAIL: {a.elf} has no symbol {a.symbol}")
        return 1
    start, size = extent

    m, port = start_qemu(a.iso)
    try:
        commands = gdb_setup_commands(port, a.symbol) + [
            "echo @@rip1\\n", "info registers rip",
            "echo @@frame\\n", "frame",
            "stepi",
            "echo @@rip2\\n", "info registers rip",
            "kill",
        ]
        try:
            proc = subprocess.run(gdb_argv(gdb, a.elf, commands, batch=True), capture_output=True,
                                  text=True, timeout=a.timeout, stdin=subprocess.DEVNULL)
            output = proc.stdout + proc.stderr
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"") + (e.stderr or b"")
            output = out.decode("utf-8", "replace") if isinstance(out, bytes) else out
            return fail(f"GDB did not stop at {a.symbol} within {a.timeout:g} s", output)
    finally:
        m.stop()

    if "packet reply is too long" in output:
        return fail("GDB could not read the registers (32/64-bit mismatch)", output)
    if not re.search(rf"Breakpoint 1, .*\b{re.escape(a.symbol)}\b", output):
        return fail(f"GDB did not report hitting the breakpoint at {a.symbol}", output)
    rips = re.findall(r"^rip\s+(0x[0-9a-f]+)", output, re.M)
    if len(rips) != 2:
        return fail("`info registers rip` did not answer twice", output)
    rip1, rip2 = int(rips[0], 16), int(rips[1], 16)
    if not start <= rip1 < start + size:
        return fail(f"RIP {rip1:#x} is not inside {a.symbol} ({start:#x}, {size} bytes)", output)
    frame = output.split("@@frame", 1)[1] if "@@frame" in output else ""
    if not re.search(rf"^#0\s+.*\b{re.escape(a.symbol)}\b", frame, re.M):
        return fail(f"`frame` does not name {a.symbol}", output)
    if rip2 == rip1:
        return fail(f"`stepi` did not move RIP from {rip1:#x}", output)
    print(f"gdb_check: PASS: GDB stopped at {a.symbol} (RIP {rip1:#x}, inside {start:#x}+{size}), "
          f"`frame` names it, and stepi moved RIP to {rip2:#x}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
