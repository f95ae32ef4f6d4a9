#!/usr/bin/env python3
"""Boots one workbook kernel under QEMU (or Bochs) and decides whether it passed.

Every test kernel ends in one of a few ways, and each gets its own verdict and exit status:

  PASS            the kernel did what the test expects                                  0
  FAILED          the kernel reported failure (isa-debug-exit code 0x11: QEMU status 35) 1
  TRIPLE FAULT    the emulator logged a triple fault and stopped the machine              2
  HANG            nothing ended the run before the timeout                               3
  QEMU ERROR      QEMU could not start or exited with a status no kernel produces       4
  PANIC           the kernel panicked where the test did not expect it                  5
  WRONG VALUE     the kernel finished, but the screen or serial output is not as expected 6
  RESET           the machine reset without a logged triple fault                        7
  EMULATOR ERROR  Bochs could not start, or stopped on an error of its own (a >>PANIC<<   8
                  other than a triple fault)

Three ways a test kernel can finish:
  --expect exit   (stage 04 on) the kernel reports through isa-debug-exit: 0x10 pass, 0x11 fail.
  --expect halt   (stages 01-03, which have no exit device driver) the kernel stops the CPU with
                  interrupts off inside its own code; the harness then reads the VGA text buffer
                  out of the guest and checks it.
  --expect run    (stage 07 on) the kernel keeps running, driven by interrupts; the harness
                  types --keys into it and passes as soon as the screen and serial checks all
                  hold. If they still fail at the timeout, the verdict is WRONG VALUE.

Two boot paths under QEMU: --iso boots the kernel through SeaBIOS and GRUB from its ISO, as a
learner's machine would; --kernel ELF hands the ELF straight to QEMU (-kernel), which loads it
through the boot shim's multiboot1 header with no boot menu and no GRUB, about 0.3 s sooner. The
shim turns the multiboot1 information into multiboot2 information, so the kernel runs the same
code either way. The first line of output says which path a test took.

--firmware uefi boots the ISO on UEFI firmware (OVMF) instead of SeaBIOS, through GRUB's EFI
build (a hybrid ISO holds both); only from an ISO, since -kernel is SeaBIOS's path. OVMF takes about
4 s to boot under TCG. The first line of output names the firmware too.

--emulator bochs boots the same ISO under Bochs, which models CPU behaviour QEMU's TCG skips
(it writes descriptor Accessed and busy bits). Bochs has no isa-debug-exit device: the kernel's
write to port 0xf4 does nothing and it halts with interrupts off, so in --expect exit the
verdict comes from serial: a `[failed]` (or `[test did not panic]`) line is FAILED; otherwise
the --serial patterns must all match (PASS); a panic message instead is PANIC; anything else
is WRONG VALUE. Such a test therefore needs at least one --serial pattern. --keys and
--test-filter use QEMU's monitor and fw_cfg, --cpu, --accel and --qemu-arg are QEMU's
options: none of them work with Bochs.
"""

from __future__ import annotations

import argparse
import re
import sys
import time

import qemu

VERDICT_STATUS = {
    "PASS": 0, "FAILED": 1, "TRIPLE FAULT": 2, "HANG": 3, "QEMU ERROR": 4,
    "PANIC": 5, "WRONG VALUE": 6, "RESET": 7, "EMULATOR ERROR": 8,
}
FAILURE_MARKERS = ("[failed]", "[test did not panic]")
PANIC_MARKER = "PANIC at "


class VgaCheck:
    """ROW:COL:ATTR:TEXT -- TEXT must stand at ROW, COL with attribute ATTR (hex, or - for any)."""

    def __init__(self, spec: str):
        try:
            row, col, attr, text = spec.split(":", 3)
            self.row, self.col = int(row), int(col)
            self.attr = None if attr == "-" else int(attr, 16)
        except ValueError:
            raise argparse.ArgumentTypeError(f"bad --vga spec {spec!r}: want ROW:COL:ATTR:TEXT")
        self.text = text

    def check(self, screen: qemu.Screen) -> str | None:
        for i, expected in enumerate(self.text):
            col = self.col + i
            got_char = qemu.cp437(screen.char(self.row, col))
            got_attr = screen.attr(self.row, col)
            if got_char != expected or (self.attr is not None and not screen.attr_matches(self.row, col, self.attr)):
                want_attr = "any" if self.attr is None else f"{self.attr:#04x}"
                return (f"VGA row {self.row}, column {col}: expected {expected!r} with attribute "
                        f"{want_attr}, got {got_char!r} with attribute {got_attr:#04x} "
                        f"(row reads {screen.row_text(self.row).rstrip()!r})")
        return None


def monitor_check(spec: str) -> tuple[str, str]:
    command, sep, pattern = spec.partition(":")
    if not sep or not command.strip() or not pattern:
        raise argparse.ArgumentTypeError(f"bad --monitor-check {spec!r}: want COMMAND:REGEX")
    return command.strip(), pattern


def tail(text: str, lines: int = 15) -> str:
    rows = text.rstrip("\n").split("\n")
    return "\n".join("    | " + r for r in rows[-lines:]) if text.strip() else "    (nothing)"


def serial_failure(serial: str) -> str:
    """The failing test's name and message from the kernel's serial output."""
    lines = serial.replace("\r", "").split("\n")
    for i, line in enumerate(lines):
        if any(marker in line for marker in FAILURE_MARKERS):
            name = line.split("...")[0].strip()
            rest = "\n".join(lines[i + 1:]).strip()
            marker = "[test did not panic]" if "[test did not panic]" in line else "[failed]"
            return f"test {name!r} {marker}" + (f"\n{rest}" if rest else "")
    return "the kernel reported failure (exit code 0x11)"


class Run:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.keys_sent = False

    def verdict(self, kind: str, message: str) -> int:
        print(f"harness: {kind}: {message}")
        return VERDICT_STATUS[kind]

    def maybe_send_keys(self, m) -> None:
        a = self.args
        if self.keys_sent or not a.keys:
            return
        if a.keys_after and a.keys_after not in m.serial():
            screen = m.screen()
            if screen is None or a.keys_after not in screen.text():
                return
        for key in a.keys.split():
            m.sendkey(key)
            time.sleep(a.key_delay)
        self.keys_sent = True

    def check_output(self, m, screen: qemu.Screen | None) -> str | None:
        serial = m.serial()
        pos = 0
        for pattern in self.args.serial:
            found = re.compile(pattern, re.M).search(serial, pos)
            if not found:
                return f"serial output does not contain /{pattern}/ (after the earlier matches)"
            pos = found.end()
        for pattern in self.args.serial_absent:
            if re.search(pattern, serial, re.M):
                return f"serial output contains /{pattern}/, which it must not"
        if self.args.vga or self.args.screen_contains:
            if screen is None:
                problem = getattr(m, "screen_problem", None)
                if problem:
                    return f"could not read the framebuffer screen: {problem}"
                return "could not read the VGA buffer from the guest"
            for check in self.args.vga:
                problem = check.check(screen)
                if problem:
                    return problem
            for text in self.args.screen_contains:
                if text not in screen.text() and text not in screen.joined():
                    return f"the screen does not show {text!r}"
        for command, pattern in self.args.monitor_check:
            # The emulator's own view (page tables, registers), read while the kernel runs.
            if m.exited() is not None:
                return f"--monitor-check {command!r}: the machine is no longer running"
            out = m.monitor_command(command)
            if out is None or not re.search(pattern, out, re.M):
                return (f"QEMU's {command!r} does not show /{pattern}/; it printed:\n"
                        + tail(out or "(nothing)", 20))
        return None

    def report_screen(self, screen: qemu.Screen | None) -> None:
        if screen is not None:
            print("harness: the VGA screen:")
            print(screen.render())

    def run(self) -> int:
        a = self.args
        if a.emulator == "bochs":
            import bochs  # only here: most tests run under QEMU, and each import costs start-up time
            m: qemu.Machine | bochs.Machine = bochs.Machine(a.iso)
            path = "GRUB from the ISO; firmware: Bochs's BIOS"
        else:
            m = qemu.Machine(a.iso or a.kernel, direct=a.kernel is not None, cpu=a.cpu, accel=a.accel,
                             memory=a.memory, extra=a.qemu_arg, firmware=a.firmware,
                             serial_file=a.serial_log)
            path = f"{m.boot_path}; firmware: {m.firmware_name}"
        print(f"harness: booting {a.iso or a.kernel} under {m.emulator} ({path})", flush=True)
        try:
            return self._run(m)
        finally:
            m.stop()

    def _ended(self, m, ending: qemu.Ending) -> int:
        serial = m.serial()
        if ending.kind == "success":
            if self.args.expect == "halt":
                return self.verdict("WRONG VALUE", "the kernel exited with success but was expected to halt")
            problem = self.check_output(m, None)
            if problem:
                print("harness: serial output:\n" + tail(serial, 40))
                return self.verdict("WRONG VALUE", problem)
            return self.verdict("PASS", ending.detail)
        print("harness: serial output:\n" + tail(serial, 40))
        if ending.kind == "failure":
            if PANIC_MARKER in serial and "[failed]" not in serial:
                return self.verdict("PANIC", serial[serial.index(PANIC_MARKER):].split("\n")[0])
            return self.verdict("FAILED", serial_failure(serial))
        if ending.kind == "triple fault":
            where = f" at {qemu.describe_rip(self.args.elf, ending.rip)}" if ending.rip is not None else ""
            return self.verdict("TRIPLE FAULT", f"the CPU triple-faulted{where} (an exception while "
                                f"delivering a double fault); {ending.detail}")
        if ending.kind == "reset":
            return self.verdict("RESET", ending.detail)
        return self.verdict(m.error_verdict, ending.detail)

    def _reported_on_serial(self, m, cpu: qemu.CpuState) -> int:
        """--expect exit without an exit device (Bochs): the kernel has halted for good, and its
        serial output is all there is to judge."""
        serial = m.serial()
        where = qemu.describe_rip(self.args.elf, cpu.rip)
        if any(marker in serial for marker in FAILURE_MARKERS):
            print("harness: serial output:\n" + tail(serial, 40))
            return self.verdict("FAILED", serial_failure(serial))
        problem = self.check_output(m, None)
        if problem is None:
            return self.verdict("PASS", f"the kernel halted at {where} after printing what the test "
                                f"expects ({m.emulator} has no exit device; judged by serial output)")
        print("harness: serial output:\n" + tail(serial, 40))
        if PANIC_MARKER in serial:
            return self.verdict("PANIC", serial[serial.index(PANIC_MARKER):].split("\n")[0])
        return self.verdict("WRONG VALUE", f"the kernel halted at {where}, but {problem}")

    def _run(self, m) -> int:
        a = self.args
        # The kernel's code range, read when a halt is first judged (tests that wait for an exit
        # never need it), and read once even when the ELF lacks the symbols.
        text_range: tuple[int, int] | None = None
        text_range_read = False
        deadline = time.monotonic() + a.timeout
        while time.monotonic() < deadline:
            ending = m.ending()
            if ending is not None:
                return self._ended(m, ending)
            self.maybe_send_keys(m)
            if a.expect == "run":
                if self.keys_sent or not a.keys:
                    screen = m.screen()
                    if screen is not None and PANIC_MARKER in screen.text():
                        self.report_screen(screen)
                        text = screen.text()
                        return self.verdict("PANIC", text[text.index(PANIC_MARKER):].split("\n")[0])
                    if screen is not None and self.check_output(m, screen) is None:
                        if a.show_screen:
                            self.report_screen(screen)
                        return self.verdict("PASS", "the running kernel shows what the test expects")
                time.sleep(m.poll_interval)
            elif a.expect == "halt" or (a.expect == "exit" and a.emulator == "bochs"):
                cpu = m.cpu_state() if m.may_have_halted() else None
                if not text_range_read:
                    text_range = qemu.symbol_range(a.elf, "__text_start", "__text_end") if a.elf else None
                    text_range_read = True
                if qemu.halted_for_good(cpu, text_range):
                    return self._halted(m, cpu) if a.expect == "halt" else self._reported_on_serial(m, cpu)
                time.sleep(0.05)
            else:
                m.wait(0.05)
        # Timed out: say as much as can be seen of where the kernel is.
        ending = m.ending()
        if ending is not None:
            return self._ended(m, ending)
        cpu = m.cpu_state()
        screen = m.screen()
        where = ""
        if cpu is not None:
            state = "halted" if cpu.halted else "running"
            flag = "on" if cpu.interrupts_enabled else "off"
            where = f"; the CPU is {state} at {qemu.describe_rip(a.elf, cpu.rip)} with interrupts {flag}"
        print("harness: last serial lines:\n" + tail(m.serial()))
        self.report_screen(screen)
        if cpu is None and m.diagnostics():
            print("harness: " + m.diagnostics())
        if screen is not None and PANIC_MARKER in screen.text():
            text = screen.text()
            return self.verdict("PANIC", text[text.index(PANIC_MARKER):].split("\n")[0])
        if a.expect == "run" and cpu is not None:
            if a.keys and not self.keys_sent:
                return self.verdict("WRONG VALUE", f"the kernel never showed {a.keys_after!r}, so no keys "
                                    f"were typed{where}")
            problem = self.check_output(m, screen) or "the checks did not hold in time"
            return self.verdict("WRONG VALUE", f"after {a.timeout:g} s: {problem}{where}")
        return self.verdict("HANG", f"no result after {a.timeout:g} s{where}")

    def _halted(self, m, cpu: qemu.CpuState) -> int:
        a = self.args
        if a.halt_in:
            where = qemu.function_range(a.elf, a.halt_in) if a.elf else None
            if where is None:
                return self.verdict("WRONG VALUE", f"--halt-in: no function {a.halt_in!r} in the kernel's symbols")
            if not where[0] <= cpu.rip < where[1]:
                self.report_screen(m.screen())
                return self.verdict("WRONG VALUE", f"the kernel halted at {qemu.describe_rip(a.elf, cpu.rip)}, "
                                    f"not in {a.halt_in}")
        screen = m.screen()
        text = screen.text() if screen is not None else ""
        panicked = PANIC_MARKER in text
        if panicked and not a.expect_panic:
            self.report_screen(screen)
            return self.verdict("PANIC", text[text.index(PANIC_MARKER):].split("\n")[0])
        if a.expect_panic and not panicked:
            self.report_screen(screen)
            return self.verdict("WRONG VALUE", "the kernel halted without the panic the test expects")
        problem = self.check_output(m, screen)
        if problem:
            self.report_screen(screen)
            return self.verdict("WRONG VALUE", problem)
        if a.show_screen:
            self.report_screen(screen)
        return self.verdict("PASS", f"the kernel halted at {qemu.describe_rip(a.elf, cpu.rip)} "
                            "and the machine shows what the test expects")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    image = p.add_mutually_exclusive_group(required=True)
    image.add_argument("--iso", help="the GRUB ISO to boot")
    image.add_argument("--kernel", metavar="ELF",
                       help="boot this kernel ELF directly (QEMU -kernel, through the shim's "
                            "multiboot1 header): no firmware boot menu, no GRUB")
    p.add_argument("--emulator", choices=["qemu", "bochs"], default="qemu",
                   help="the machine to boot it on (default: qemu)")
    p.add_argument("--firmware", choices=qemu.FIRMWARES, default="bios",
                   help="bios: SeaBIOS (default); uefi: OVMF, booting GRUB's EFI build from --iso")
    p.add_argument("--elf", help="the kernel ELF (for symbol names and the text range)")
    p.add_argument("--expect", choices=["exit", "halt", "run"], default="exit")
    p.add_argument("--expect-panic", action="store_true", help="halt mode: the kernel must show a panic")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds before the run counts as a hang")
    p.add_argument("--vga", type=VgaCheck, action="append", default=[], metavar="ROW:COL:ATTR:TEXT")
    p.add_argument("--screen-contains", action="append", default=[], metavar="TEXT")
    p.add_argument("--serial", action="append", default=[], metavar="REGEX",
                   help="must appear in the serial output, each after the previous one")
    p.add_argument("--serial-absent", action="append", default=[], metavar="REGEX")
    p.add_argument("--keys", help="space-separated QEMU key names to type (monitor sendkey)")
    p.add_argument("--keys-after", metavar="TEXT", help="type the keys once serial or the screen shows TEXT")
    p.add_argument("--key-delay", type=float, default=0.05)
    p.add_argument("--cpu", help="QEMU CPU model (e.g. qemu32 for a CPU without long mode, "
                                  "qemu64,-nx for one without no-execute)")
    p.add_argument("--memory", default="128M", metavar="SIZE", help="the machine's RAM (default 128M)")
    p.add_argument("--monitor-check", type=monitor_check, action="append", default=[], metavar="COMMAND:REGEX",
                   help="halt and run modes: the QEMU monitor command's output must match REGEX, "
                        "e.g. 'info mem:^ffff800000000000-' (an outside view of the page tables)")
    p.add_argument("--accel", default="tcg", help="QEMU accelerator (tcg; kvm only on request)")
    p.add_argument("--test-filter", metavar="NAME",
                   help="exit mode: run only the in-kernel test NAME (passed through QEMU's fw_cfg "
                        "as opt/workbook/test) and require its [ok] line")
    p.add_argument("--halt-in", metavar="FUNCTION",
                   help="halt mode: the CPU must have stopped inside this function (e.g. kernel_main, "
                        "not the boot shim's error path)")
    p.add_argument("--show-screen", action="store_true", help="print the screen on success too")
    p.add_argument("--serial-log", metavar="FILE",
                   help="QEMU: keep the kernel's serial output in FILE (for a script that checks it)")
    p.add_argument("--qemu-arg", action="append", default=[], help="extra QEMU argument")
    args = p.parse_args()
    if args.kernel and not args.elf:
        args.elf = args.kernel
    if args.firmware == "uefi" and args.kernel:
        p.error("--firmware uefi: a kernel boots on UEFI only through GRUB's EFI build; give its ISO "
                "(--iso), not --kernel")
    if args.emulator == "bochs" and args.firmware != "bios":
        p.error("--firmware uefi: QEMU only (OVMF); Bochs boots on its own BIOS")
    if args.emulator == "bochs" and args.kernel:
        p.error("--kernel: Bochs has no direct-load path; give it the GRUB ISO (--iso)")
    if args.emulator == "bochs":
        qemu_only = [name for name, used in (("--keys", args.keys), ("--test-filter", args.test_filter),
                                             ("--serial-log", args.serial_log),
                                             ("--cpu", args.cpu), ("--accel", args.accel != "tcg"),
                                             ("--memory", args.memory != "128M"),
                                             ("--monitor-check", args.monitor_check),
                                             ("--qemu-arg", args.qemu_arg)) if used]
        if qemu_only:
            p.error(f"{', '.join(qemu_only)}: QEMU only (monitor, fw_cfg or QEMU options); "
                    "not available with --emulator bochs")
        if args.expect == "exit" and not args.serial:
            # Without an exit status, a halt after printing nothing would pass.
            p.error("--emulator bochs --expect exit needs a --serial pattern: Bochs has no exit "
                    "device, so the verdict comes from the serial output")
    if args.test_filter:
        args.qemu_arg += ["-fw_cfg", f"name=opt/workbook/test,string={args.test_filter}"]
        # Anything the test itself prints (a warning it provokes) may stand between name and [ok].
        args.serial.append(rf"::{re.escape(args.test_filter)}\.\.\.[\s\S]*?\[ok\]")
    qemu.end_on_signals()
    try:
        return Run(args).run()
    except qemu.Terminated as t:  # Run.run() has stopped the emulator on the way out
        print(f"harness: STOPPED: {t.name} ended the test before its verdict")
        return 128 + t.signum


if __name__ == "__main__":
    sys.exit(main())
