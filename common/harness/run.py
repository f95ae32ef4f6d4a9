#!/usr/bin/env python3
"""Boots a kernel ISO under QEMU (or Bochs) for a person to watch (what `./workbook run` does);
--kernel ELF boots a kernel directly instead, as CTest boots test kernels.

With a display ($DISPLAY or $WAYLAND_DISPLAY set) and without --headless, QEMU opens a window
that shows the VGA screen; the run ends when the window is closed, the kernel exits through
isa-debug-exit, --timeout passes, or on Ctrl-C.

Headless, the kernel's serial output (COM1) streams to this terminal while it runs, and the VGA
text screen is read out of the guest and printed at the end. A headless run also ends when the
kernel halts for good (the CPU halted with interrupts off inside the kernel's own code), since
nothing can happen after that.

--keys types keys into the kernel (QEMU's sendkey names, as the tests use them), once the kernel
has shown --keys-after TEXT on its screen or serial output, or after a second without it. The
printed screen keeps the kernel's colours when standard output is a terminal (--no-color turns
them off). --monitor puts QEMU's monitor on the terminal beside the serial output: Ctrl-A c
switches between the two, Ctrl-A x ends QEMU.

SIGTERM and SIGHUP (`timeout`, a closed terminal) stop the emulator as Ctrl-C does; and the
emulator is started so that it dies with this process even when nothing can clean up (SIGKILL).

--firmware uefi boots the ISO on UEFI firmware (OVMF) through GRUB's EFI build instead of
SeaBIOS, as most laptops would; the screen is then the kernel's framebuffer console, which
Machine.framebuffer_screen reads back into characters and colours (fbscreen.py).

With --emulator bochs the run is always headless (Bochs runs on a pseudo-terminal of the
harness's, see bochs.py). Bochs has no exit device: a test kernel's result is in its serial
output, and the run ends when the kernel halts for good.

Exit status: 0 when the kernel halted, exited with the success code (QEMU status 33), or was
stopped by Ctrl-C or --timeout; 1 when it exited with the failure code (35); 2 on a triple fault
or reset; 4 when the emulator itself failed; 128 + the signal's number when SIGTERM or SIGHUP
stopped it.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bochs  # noqa: E402
import qemu  # noqa: E402


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def classify_exit(status: int, triple_faulted: bool, stderr: str = "") -> tuple[str, int]:
    """A short description of how QEMU ended, and the status `run` exits with."""
    if status == qemu.EXIT_SUCCESS_STATUS:
        return "QEMU exit status 33: success (the kernel wrote 0x10 to isa-debug-exit)", 0
    if status == qemu.EXIT_FAILURE_STATUS:
        return "QEMU exit status 35: failure (the kernel wrote 0x11 to isa-debug-exit)", 1
    if status == 0:
        if triple_faulted:
            return ("QEMU exit status 0: triple fault (the CPU could not deliver a double fault; "
                    "-no-reboot stopped the machine instead of resetting it)"), 2
        return "QEMU exit status 0: the machine reset or was shut down (no triple fault logged)", 2
    if status < 0:
        return f"QEMU was killed by signal {-status}", 4
    if status & 1 and status > 1:
        return (f"QEMU exit status {status}: the kernel wrote {status >> 1:#x} to isa-debug-exit "
                "(neither the success nor the failure code)"), 1
    detail = f": {stderr.strip()}" if stderr.strip() else ""
    return f"QEMU exit status {status}: QEMU failed{detail}", 4


def say(text: str) -> None:
    print(f"run: {text}", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    image = p.add_mutually_exclusive_group(required=True)
    image.add_argument("--iso", help="the GRUB ISO to boot")
    image.add_argument("--kernel", metavar="ELF",
                       help="boot this kernel ELF directly (QEMU -kernel, through the shim's "
                            "multiboot1 header), without GRUB: how test kernels boot in CTest")
    p.add_argument("--elf", help="the kernel ELF (names the place where the kernel halted)")
    p.add_argument("--name", help="what to call the kernel in messages (default: the image's path)")
    p.add_argument("--emulator", choices=["qemu", "bochs"], default="qemu",
                   help="the machine to boot on (default: qemu; bochs is always headless)")
    p.add_argument("--firmware", choices=qemu.FIRMWARES, default="bios",
                   help="bios: SeaBIOS (default); uefi: OVMF, booting GRUB's EFI build from the ISO")
    p.add_argument("--headless", action="store_true", help="no window even when a display is available")
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="stop QEMU after this many seconds (default: run until the kernel stops or Ctrl-C)")
    p.add_argument("--kvm", action="store_true",
                   help="use KVM instead of TCG (it does not work on every machine that has /dev/kvm)")
    p.add_argument("--qemu-arg", action="append", default=[], metavar="ARG", help="extra QEMU argument")
    p.add_argument("--keys", metavar="KEYS",
                   help='keys to type, space-separated QEMU key names: "h e l l o ret"')
    p.add_argument("--keys-after", metavar="TEXT",
                   help="type --keys once TEXT is on the screen or in the serial output "
                        "(default: one second after the boot)")
    p.add_argument("--no-color", action="store_true",
                   help="print the screen without its colours (they are left out anyway when "
                        "standard output is not a terminal)")
    p.add_argument("--monitor", action="store_true",
                   help="QEMU's monitor on this terminal, multiplexed with the serial output "
                        "(Ctrl-A c switches, Ctrl-A x quits)")
    a = p.parse_args(argv)
    qemu.end_on_signals()

    image = a.iso or a.kernel
    if not os.path.exists(image):
        print(f"run: error: no {'ISO' if a.iso else 'kernel'} at {image}", file=sys.stderr)
        return 4
    if a.emulator == "bochs" and (a.kvm or a.qemu_arg or a.kernel):
        p.error("--kernel, --kvm and --qemu-arg are QEMU options; not available with --emulator bochs")
    if a.firmware == "uefi" and (a.emulator == "bochs" or a.kernel):
        p.error("--firmware uefi boots an ISO under QEMU (OVMF, GRUB's EFI build); not with --kernel "
                "or --emulator bochs")
    if a.emulator == "bochs" and (a.monitor or a.keys):
        p.error("--monitor and --keys need QEMU's monitor; not available with --emulator bochs")
    if a.keys_after and not a.keys:
        p.error("--keys-after needs --keys")
    if a.monitor and not sys.stdin.isatty():
        p.error("--monitor needs a terminal on standard input")
    if a.kernel and not a.elf:
        a.elf = a.kernel
    window = not a.headless and has_display() and a.emulator == "qemu"
    name = a.name or image
    accel = "kvm" if a.kvm else "tcg"
    text_range = qemu.symbol_range(a.elf, "__text_start", "__text_end") if a.elf else None
    how = "in a QEMU window" if window else "headless"
    if not window and not a.headless and a.emulator == "qemu":
        how += " (no display: $DISPLAY and $WAYLAND_DISPLAY are unset)"
    limit = f", for at most {a.timeout:g} s" if a.timeout else ""
    machine = ("under Bochs" if a.emulator == "bochs" else
               f"with QEMU ({accel.upper()}) on {qemu.describe_firmware(a.firmware)}")
    say(f"booting {name} {how} {machine}{limit}; Ctrl-C stops it.")
    say("serial output (COM1) follows." if not window else
        "serial output (COM1) follows; close the window to end.")
    if a.monitor:
        say("the QEMU monitor shares this terminal: Ctrl-A c switches between it and COM1, "
            "Ctrl-A x ends QEMU.")
    tty_mode = termios.tcgetattr(sys.stdin.fileno()) if a.monitor else None
    print("-" * 82, flush=True)

    try:
        if a.emulator == "bochs":
            m: qemu.Machine | bochs.Machine = bochs.Machine(a.iso, serial_to_stdout=True)
        else:
            m = qemu.Machine(image, direct=a.kernel is not None, headless=not window, accel=accel,
                             serial_to_stdout=True, extra=a.qemu_arg, terminal_monitor=a.monitor,
                             firmware=a.firmware)
    except qemu.Terminated as t:  # ended while the emulator started; it has stopped itself
        return 128 + t.signum
    except KeyboardInterrupt:
        return 130
    started = time.monotonic()
    deadline = started + a.timeout if a.timeout else None
    reason = "interrupt"
    signal_name = ""
    cpu: qemu.CpuState | None = None
    keys = a.keys.split() if a.keys else []
    try:
        while True:
            if keys and m.exited() is None and keys_due(m, a.keys_after, started):
                for key in keys:
                    m.sendkey(key)
                    time.sleep(0.05)
                say(f"typed: {a.keys}")
                keys = []
            if m.exited() is not None:
                reason = "exit"
                break
            if deadline is not None and time.monotonic() >= deadline:
                reason = "timeout"
                break
            if not window and m.may_have_halted():
                cpu = m.cpu_state()
                if qemu.halted_for_good(cpu, text_range):
                    reason = "halt"
                    break
            m.wait(0.1)
    except qemu.Terminated as t:
        reason, signal_name = "signal", t.name
    except KeyboardInterrupt:
        reason = "interrupt"

    try:
        status = m.exited()
        screen = m.screen() if status is None and not window else None
        if status is None:
            cpu = m.cpu_state()
        m.flush_serial()
        serial = m.serial()
        if serial and not serial.endswith("\n"):
            print()
        print("-" * 82, flush=True)
        if not serial:
            say("(no serial output)")
        code = 0
        if status is not None and a.emulator == "bochs":
            ending = m.ending()
            code = 2 if ending.kind in ("triple fault", "reset") else 4
            where = f" at {qemu.describe_rip(a.elf, ending.rip)}" if ending.rip is not None else ""
            say(f"{ending.kind}{where}: {ending.detail}")
        elif status is not None:
            message, code = classify_exit(status, m.triple_faulted(), m.stderr())
            say(message)
            if window and code == 4:
                say("QEMU could not open its window on this display; --headless runs without one")
        elif reason == "halt" and cpu is not None:
            say(f"the kernel halted for good at {qemu.describe_rip(a.elf, cpu.rip)} with interrupts off; "
                f"stopping {m.emulator}")
        else:
            state = ""
            if cpu is not None:
                state = (f"; the CPU was {'halted' if cpu.halted else 'running'} at "
                         f"{qemu.describe_rip(a.elf, cpu.rip)} with interrupts "
                         f"{'on' if cpu.interrupts_enabled else 'off'}")
            why = (f"after {a.timeout:g} s (--timeout)" if reason == "timeout" else
                   f"on {signal_name}" if reason == "signal" else "on Ctrl-C")
            say(f"stopped {m.emulator} {why}{state}")
            if reason == "signal":
                code = 128 + signal.Signals[signal_name].value
        problem = getattr(m, "screen_problem", None)  # QEMU under UEFI; Bochs has none
        if screen is None and status is None and not window and problem:
            say(f"could not read the framebuffer screen: {problem}")
        if screen is not None:
            say("the screen at the end:" if a.firmware == "uefi" else "the VGA text screen at the end:")
            print(screen.render(color=sys.stdout.isatty() and not a.no_color), flush=True)
        elif not window and status is not None:
            say(f"({m.emulator} has exited, so the screen can no longer be read)")
        return code
    except qemu.Terminated as t:
        return 128 + t.signum
    except KeyboardInterrupt:
        return 130
    except OSError:
        if reason == "signal":  # SIGHUP: the terminal is gone, and printing to it fails
            return 128 + signal.Signals[signal_name].value
        raise
    finally:
        m.stop()
        if tty_mode is not None:  # QEMU killed in raw mode would leave the terminal so
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, tty_mode)


def keys_due(m, after: str | None, started: float) -> bool:
    """Whether to type --keys now: once `after` shows, or a second into the run without it."""
    if after is None:
        return time.monotonic() - started >= 1.0
    if after in m.serial():
        return True
    screen = m.screen()
    return screen is not None and after in screen.text()


if __name__ == "__main__":
    sys.exit(main())
