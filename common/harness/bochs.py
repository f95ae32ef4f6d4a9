"""Starting Bochs for a workbook kernel and talking to it through its debugger.

Bochs models CPU behaviour that QEMU's TCG skips (it writes descriptor Accessed and busy bits,
for one), so the same ISO is also booted under it. This module's Machine has the interface of
qemu.Machine that harness.py and run.py use: serial(), screen(), cpu_state(), ending(),
may_have_halted(), stop().

Debian's Bochs has its debugger compiled in: it stops before the first instruction and reads
commands from the terminal. The machine is started with a command file that says `c`
(continue); to look inside, the harness sends SIGINT, which stops the CPU at the debugger's
prompt, runs `r`, `x` or `writemem` there and continues with `c`. Bochs has no headless
display either: `display_library: term` draws the screen with curses, so it runs on a
pseudo-terminal of our own, whose output also carries the debugger's prompts and answers.

Bochs has no isa-debug-exit device. A test kernel writes its result to port 0xf4 for nothing
and then halts with interrupts off, which Bochs logs (`HLT instruction with IF=0`); the verdict
then comes from the kernel's serial output (harness.py)."""

from __future__ import annotations

import fcntl
import glob
import os
import pty
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

from qemu import VGA_ADDRESS, VGA_COLUMNS, VGA_ROWS, CpuState, Ending, Screen, die_with_parent, read_text

BIOS = "/usr/share/bochs/BIOS-bochs-latest"
VGA_BIOS = "/usr/share/bochs/VGABIOS-lgpl-latest"
TERM_PLUGIN_GLOB = "/usr/lib/*/bochs/plugins/libbx_term_gui.so"

# What each Debian package brings: the emulator, its BIOS, its VGA BIOS, its terminal display.
PACKAGES = ("bochs", "bochsbios", "vgabios", "bochs-term")

PROMPT = re.compile(rb"<bochs:\d+> ")
ESCAPE = re.compile(r"\x1b\[[?0-9;]*[A-Za-z]")
# The CPU could not deliver an exception while delivering a double fault: a triple fault. The
# number is the vector of the third exception (13 for #GP).
TRIPLE_FAULT = re.compile(r">>PANIC<< exception\(\): 3rd \((\d+)\) exception with no resolution")
HALT_WITH_IF_0 = "HLT instruction with IF=0"
RESET = "bx_pc_system_c::Reset("


def missing_parts() -> list[str]:
    """The Debian packages of Bochs that are not installed (empty when Bochs can run)."""
    gone = []
    if shutil.which("bochs") is None:
        gone.append("bochs")
    if not os.path.exists(BIOS):
        gone.append("bochsbios")
    if not os.path.exists(VGA_BIOS):
        gone.append("vgabios")
    if not glob.glob(TERM_PLUGIN_GLOB):
        gone.append("bochs-term")
    return gone


def unsupported_version() -> str | None:
    """Why the installed Bochs cannot be driven, or None. The harness talks to Bochs 2.7's
    debugger on its terminal; Bochs 3.0 (Debian 13) runs the kernel but neither prints the
    debugger's first stop nor answers SIGINT with a prompt there, so every test would hang."""
    try:
        out = subprocess.run(["bochs", "--help", "features"], capture_output=True, text=True,
                             timeout=20, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"Bochs x86 Emulator (\d+)\.(\d+)", out.stdout + out.stderr)
    if found and int(found.group(1)) >= 3:
        return (f"Bochs {found.group(1)}.{found.group(2)} is installed; the harness drives Bochs 2.x "
                "(Debian 12's 2.7) through its debugger, which Bochs 3 does not answer on a terminal")
    return None


def bochsrc(iso: str, memory_mb: int, serial_path: str) -> str:
    # fastboot skips the BIOS's boot-menu delay. sync=realtime ties emulated time to the host's
    # clock, as QEMU does: by default (sync=none) time follows the instruction count, and a CPU
    # idling in hlt skips ahead to the next timer interrupt, so the timer's dots scrolled a
    # kernel's whole screen away between two looks at it. ips (emulated instructions per
    # second) then matters little: 10 and 100 million boot equally fast (3-4 s to a test's end).
    # The speaker is left out: it would only look for a sound card. The memory size matches
    # QEMU's -m 128M, so both see the same memory map.
    return f"""\
megs: {memory_mb}
romimage: file={BIOS}, options=fastboot
vgaromimage: file={VGA_BIOS}
ata0-master: type=cdrom, path="{os.path.abspath(iso)}", status=inserted
boot: cdrom
display_library: term
log: bochs.log
panic: action=fatal
cpu: model=corei7_haswell_4770, count=1, ips=10000000, reset_on_triple_fault=0
clock: sync=realtime, time0=local
com1: enabled=1, mode=file, dev="{serial_path}"
plugin_ctrl: speaker=0
"""


class Machine:
    """A Bochs process running one ISO on a pseudo-terminal, with its debugger at hand."""

    emulator = "Bochs"
    error_verdict = "EMULATOR ERROR"
    poll_interval = 0.5  # every look at the screen stops the CPU for a moment

    def __init__(self, iso: str, *, memory_mb: int = 128, serial_to_stdout: bool = False,
                 serial_file: str | None = None):
        gone = missing_parts()
        if gone:
            raise SystemExit(f"error: Bochs cannot run: missing Debian packages {' '.join(gone)}; "
                             f"install them with: sudo apt-get install {' '.join(PACKAGES)}")
        if not os.path.isfile(iso):
            raise SystemExit(f"error: {iso} does not exist; build it first (./workbook iso STAGE)")
        why = unsupported_version()
        if why:
            raise SystemExit(f"error: {why}")
        self.workdir = tempfile.mkdtemp(prefix="workbook-bochs-")
        self.serial_path = os.path.abspath(serial_file) if serial_file else os.path.join(self.workdir, "serial.log")
        self.log_path = os.path.join(self.workdir, "bochs.log")
        with open(os.path.join(self.workdir, "bochsrc"), "w") as f:
            f.write(bochsrc(iso, memory_mb, self.serial_path))
        with open(os.path.join(self.workdir, "continue.rc"), "w") as f:
            f.write("c\n")

        master, slave = pty.openpty()
        # The term display draws an 80x25 screen; a terminal of zero size would confuse curses.
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.master = master
        self.args = ["bochs", "-q", "-f", "bochsrc", "-rc", "continue.rc"]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            die_with_parent(self.args), cwd=self.workdir, stdin=slave, stdout=slave, stderr=slave,
            env=dict(os.environ, TERM="vt100"),  # curses needs a terminal type; ctest may set none
            start_new_session=True)  # SIGINT from the harness only, never from a Ctrl-C meant for it
        os.close(slave)
        self._out = bytearray()
        self._cond = threading.Condition()
        self._lock = threading.Lock()  # one debugger conversation at a time
        self._reader = threading.Thread(target=self._read_terminal, daemon=True)
        self._reader.start()
        self._serial_echo: threading.Thread | None = None
        self._echo_lock = threading.Lock()
        self._echoed = 0
        self._stopping = threading.Event()
        if serial_to_stdout:
            self._serial_echo = threading.Thread(target=self._echo_serial, daemon=True)
            self._serial_echo.start()

    # -- the terminal and the debugger ------------------------------------------------------
    def _read_terminal(self) -> None:
        # Always drained: a full pseudo-terminal would block Bochs's screen output.
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                data = b""
            with self._cond:
                if not data:
                    self._cond.notify_all()
                    return
                self._out += data
                self._cond.notify_all()

    def _echo_serial(self) -> None:
        while not self._stopping.is_set():
            self.flush_serial()
            self._stopping.wait(0.05)
        self.flush_serial()

    def flush_serial(self) -> None:
        """serial_to_stdout: copies what the kernel has written since the last time to stdout
        (Bochs writes serial output only to a file)."""
        with self._echo_lock:
            try:
                with open(self.serial_path, "rb") as f:
                    f.seek(self._echoed)
                    data = f.read()
            except FileNotFoundError:
                return
            if data:
                self._echoed += len(data)
                sys.stdout.write(data.decode("utf-8", "replace"))
                sys.stdout.flush()

    def _wait_for(self, pattern: re.Pattern[bytes], start: int, timeout: float) -> re.Match[bytes] | None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = pattern.search(self._out, start)
                if found:
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or not self._reader.is_alive():
                    return None
                self._cond.wait(min(left, 0.1))

    def _output_length(self) -> int:
        with self._cond:
            return len(self._out)

    def _interrupt(self) -> bool:
        """Stops the CPU at the debugger's prompt; False if Bochs is not (or no longer) running."""
        if self.proc.poll() is not None:
            return False
        # Until the command file's `c` has run, the simulation is still being set up.
        if not self._wait_for(re.compile(rb"Next at t=0\b"), 0, 0):
            return False
        start = self._output_length()
        # A SIGINT that arrives while the debugger is still starting the previous `c` is lost
        # (the command clears the request before it runs the CPU): ask again now and then.
        for _ in range(5):
            if self.proc.poll() is not None:
                return False
            os.kill(self.proc.pid, signal.SIGINT)
            if self._wait_for(PROMPT, start, 2.0) is not None:
                return True
        return False

    def _command(self, line: str) -> str | None:
        """Runs one debugger command at the prompt and returns what it printed."""
        start = self._output_length()
        try:
            os.write(self.master, line.encode() + b"\n")
        except OSError:
            return None
        found = self._wait_for(PROMPT, start, 10.0)
        if found is None:
            return None
        with self._cond:
            text = bytes(self._out[start:found.start()]).decode("utf-8", "replace")
        text = ESCAPE.sub("", text).replace("\r", "")
        return text.split("\n", 1)[1] if "\n" in text else ""  # without the echoed command

    def _resume(self) -> None:
        start = self._output_length()
        try:
            os.write(self.master, b"c\n")
        except OSError:
            return
        # Once the echo is back, the debugger has taken the line and the CPU runs again; a
        # SIGINT sent before that could reach the prompt instead of the running machine.
        self._wait_for(re.compile(rb"c\r?\n"), start, 5.0)

    # -- state ------------------------------------------------------------------------------
    def _log(self) -> str:
        return read_text(self.log_path)

    def exited(self) -> int | None:
        return self.proc.poll()

    def serial(self) -> str:
        return read_text(self.serial_path)

    def triple_faulted(self) -> bool:
        return TRIPLE_FAULT.search(self._log()) is not None

    def may_have_halted(self) -> bool:
        """Cheap: False while Bochs has logged no HLT with interrupts off, so there is no need to
        stop the CPU to look."""
        return HALT_WITH_IF_0 in self._log()

    def ending(self) -> Ending | None:
        """How the machine ended on its own, or None while it runs."""
        status = self.proc.poll()
        log = self._log()
        if status is None:
            if log.count(RESET) > 1:  # the first is the power-on reset
                return Ending("reset", "the machine reset (Bochs logged a reset after power-on) "
                              "without a triple fault")
            return None
        found = TRIPLE_FAULT.search(log)
        if found:
            return self._triple_fault(log, found)
        panic = re.search(r">>PANIC<<.*", log)
        if panic:
            return Ending("error", f"Bochs stopped with a panic of its own: {panic.group(0)}")
        with self._cond:
            said = ESCAPE.sub("", bytes(self._out[-2000:]).decode("utf-8", "replace")).replace("\r", "")
        said = "\n".join(line for line in said.split("\n") if line.strip() and "ALSA" not in line)
        return Ending("error", f"Bochs exited with status {status}" + (f":\n{said.strip()}" if said.strip() else ""))

    def _triple_fault(self, log: str, found: re.Match[str]) -> Ending:
        # Bochs dumps the CPU's registers just before the panic line: keep the ones that say
        # where the CPU was and what it touched.
        before = log[: found.start()].split("\n")[-30:]
        registers = {}
        for line in before:
            for name, value in re.findall(r"\b(RIP|RSP|RBP|CR0|CR2|CR3|CR4)=(?:0x)?([0-9a-fA-F]+)", line):
                registers[name] = int(value, 16)
        shown = ", ".join(f"{n}={registers[n]:#x}" for n in ("RIP", "RSP", "CR2", "CR3") if n in registers)
        return Ending("triple fault", f"Bochs: exception(): 3rd ({found.group(1)}) exception with no "
                      f"resolution; {shown}", rip=registers.get("RIP"))

    def cpu_state(self) -> CpuState | None:
        with self._lock:
            if not self._interrupt():
                return None
            try:
                regs = self._command("r") or ""
                rip = re.search(r"rip: ([0-9a-f]{8})_([0-9a-f]{8})", regs)
                flags = re.search(r"eflags 0x([0-9a-f]+)", regs)
                if not rip or not flags:
                    return None
                address = int(rip.group(1) + rip.group(2), 16)
                # The debugger does not show whether the CPU sleeps. It does if it has logged a
                # HLT with interrupts off and the instruction just before RIP is that HLT (0xf4).
                halted = False
                if address and self.may_have_halted():
                    before = self._command(f"x /1bx {address - 1:#x}") or ""
                    halted = re.search(r":\s+0xf4\b", before) is not None
                return CpuState(address, int(flags.group(1), 16), halted)
            finally:
                self._resume()

    def screen(self) -> Screen | None:
        """Reads the VGA text buffer out of the running guest (debugger command writemem)."""
        name = os.path.join(self.workdir, "vga.bin")
        with self._lock:
            if not self._interrupt():
                return None
            try:
                if os.path.exists(name):
                    os.unlink(name)
                self._command(f'writemem "vga.bin" {VGA_ADDRESS:#x} {VGA_COLUMNS * VGA_ROWS * 2}')
                with open(name, "rb") as f:
                    raw = f.read()
            except OSError:
                return None
            finally:
                self._resume()
        return Screen(raw) if len(raw) == VGA_COLUMNS * VGA_ROWS * 2 else None

    def diagnostics(self) -> str:
        """The end of Bochs's log and of its terminal, for a run that ended in nothing."""
        log = [line for line in self._log().split("\n") if line.strip()][-12:]
        with self._cond:
            said = ESCAPE.sub("", bytes(self._out[-1500:]).decode("utf-8", "replace")).replace("\r", "")
        said_lines = [line for line in said.split("\n") if line.strip()][-12:]
        return ("bochs.log ends with:\n" + "\n".join("    | " + line for line in log) +
                "\nBochs's terminal ends with:\n" + "\n".join("    | " + line for line in said_lines))

    def wait(self, timeout: float) -> int | None:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        if self.proc.poll() is None:
            # SIGTERM is caught by Bochs and does not end a CPU halted with interrupts off.
            self.proc.kill()
        self.proc.wait()
        self._stopping.set()
        if self._serial_echo is not None:
            self._serial_echo.join()
        try:
            os.close(self.master)
        except OSError:
            pass
        self._reader.join(timeout=2)
        shutil.rmtree(self.workdir, ignore_errors=True)
