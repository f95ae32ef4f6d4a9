"""Starting QEMU for a workbook kernel and talking to it through the human monitor.

Shared by the test harness (harness.py) and the `./workbook run` driver (run.py)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

# The classes below are plain classes: importing dataclasses (with inspect) costs about 20 ms
# of CPU at the start of every test, which CTest pays some 450 times.

VGA_ADDRESS = 0xB8000
VGA_COLUMNS = 80
VGA_ROWS = 25

# isa-debug-exit: writing v to port 0xf4 makes QEMU exit with (v << 1) | 1.
EXIT_SUCCESS_STATUS = (0x10 << 1) | 1  # 33
EXIT_FAILURE_STATUS = (0x11 << 1) | 1  # 35

# Code page 437, the VGA text mode's character set, so the screen reads as it looks.
_CP437_HIGH = (
    "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌"
    "█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0"
)


def cp437(byte: int) -> str:
    if byte == 0:
        return " "
    if 0x20 <= byte < 0x7F:
        return chr(byte)
    if byte >= 0x80:
        return _CP437_HIGH[byte - 0x80]
    return "?"  # control range: shown as a placeholder


class Screen:
    """The 80x25 VGA text buffer: a character byte and an attribute byte per cell.

    fg_unknown: the cells (row * 80 + column) whose foreground colour is not known, because the
    screen was decoded from a framebuffer picture in which they show no lit pixel
    (fbscreen.py); attribute checks compare only their background."""

    def __init__(self, raw: bytes, fg_unknown: frozenset[int] = frozenset()) -> None:
        self.raw = raw
        self.fg_unknown = fg_unknown

    def attr_matches(self, row: int, col: int, attr: int) -> bool:
        mask = 0xF0 if row * VGA_COLUMNS + col in self.fg_unknown else 0xFF
        return self.attr(row, col) & mask == attr & mask

    def char(self, row: int, col: int) -> int:
        return self.raw[2 * (row * VGA_COLUMNS + col)]

    def attr(self, row: int, col: int) -> int:
        return self.raw[2 * (row * VGA_COLUMNS + col) + 1]

    def row_text(self, row: int) -> str:
        return "".join(cp437(self.char(row, c)) for c in range(VGA_COLUMNS))

    def text(self) -> str:
        return "\n".join(self.row_text(r).rstrip() for r in range(VGA_ROWS))

    def joined(self) -> str:
        """All rows end to end, so text the writer wrapped onto the next row reads as one line."""
        return "".join(self.row_text(r) for r in range(VGA_ROWS))

    def render(self, color: bool = False) -> str:
        """The screen in a frame; with color, each cell in its VGA colours (ANSI escapes)."""
        lines = ["+" + "-" * VGA_COLUMNS + "+"]
        lines += ["|" + (self.row_ansi(r) if color else self.row_text(r)) + "|" for r in range(VGA_ROWS)]
        lines.append("+" + "-" * VGA_COLUMNS + "+")
        return "\n".join(lines)

    def row_ansi(self, row: int) -> str:
        """A row with an SGR escape wherever the attribute changes, reset at its end."""
        out, current = [], None
        for c in range(VGA_COLUMNS):
            attr = self.attr(row, c)
            if attr != current:
                out.append(ansi_sgr(attr))
                current = attr
            out.append(cp437(self.char(row, c)))
        return "".join(out) + "\x1b[0m"


# VGA colour numbers (blue is 1, red is 4) to ANSI's (red is 1, blue is 4); bit 3 is "bright".
_VGA_TO_ANSI = (0, 4, 2, 6, 1, 5, 3, 7)


def ansi_sgr(attr: int) -> str:
    """The ANSI escape for a VGA attribute byte: foreground in bits 0-3 (bit 3 bright), background
    in bits 4-6. Bit 7 (blink, or a bright background) is left out, as most terminals do."""
    fg, bg = attr & 0x0F, (attr >> 4) & 0x07
    fg_code = (90 if fg & 8 else 30) + _VGA_TO_ANSI[fg & 7]
    return f"\x1b[{fg_code};{40 + _VGA_TO_ANSI[bg]}m"


class CpuState:
    def __init__(self, rip: int, rflags: int, halted: bool) -> None:
        self.rip, self.rflags, self.halted = rip, rflags, halted

    @property
    def interrupts_enabled(self) -> bool:
        return bool(self.rflags & (1 << 9))


class Ending:
    """How a machine ended on its own, in words common to QEMU and Bochs.

    kind: "success" or "failure" (the kernel's code through isa-debug-exit, QEMU only),
    "triple fault", "reset", or "error" (the emulator failed; detail says how)."""

    def __init__(self, kind: str, detail: str, rip: int | None = None) -> None:
        self.kind, self.detail = kind, detail
        self.rip = rip  # where the CPU was, when the emulator says


def read_text(path: str) -> str:
    """A file the emulator writes (serial output, its log) as text so far; "" before it exists."""
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP ended the run (a closed terminal, `timeout`, `kill`). Raised where Ctrl-C
    raises KeyboardInterrupt, so the same `finally` blocks stop the emulator."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.name = signal.Signals(signum).name


def end_on_signals() -> None:
    """Turns SIGTERM and SIGHUP into Terminated, so that they stop the emulator as Ctrl-C does
    (their default action would end Python at once and leave the emulator running). A second such
    signal while the first is being handled is ignored, so the clean-up itself is not cut short."""

    def handler(signum: int, _frame) -> None:
        for s in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        raise Terminated(signum)

    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, handler)


def die_with_parent(argv: list[str]) -> list[str]:
    """argv, started so that the kernel kills the process with SIGKILL when the Python process that
    started it dies, however it dies (SIGKILL included, where no clean-up code can run): the
    emulator never outlives the driver or the harness. setpriv (util-linux 2.33 or later, on every
    Debian since 10) sets the parent-death signal and execs the program; the setting survives that
    exec. Without setpriv the emulator starts as before, and only the clean-up code stops it."""
    global _SETPRIV
    if _SETPRIV is None:
        _SETPRIV = shutil.which("setpriv") or ""
    return [_SETPRIV, "--pdeathsig", "KILL", "--", *argv] if _SETPRIV else argv


_SETPRIV: str | None = None


def find_tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"error: {name} not found; install it with: sudo apt-get install {package}")
    return path


class Monitor:
    """A connection to QEMU's human monitor over a unix socket."""

    PROMPT = b"(qemu) "

    def __init__(self, path: str, timeout: float = 10.0, alive=lambda: True):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline or not alive():
                    raise
                time.sleep(0.02)
        self.sock.settimeout(timeout)
        self._read_until_prompt()

    def _read_until_prompt(self) -> str:
        data = b""
        while not data.endswith(self.PROMPT):
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("QEMU closed the monitor")
            data += chunk
        return data[: -len(self.PROMPT)].decode("utf-8", "replace")

    def command(self, line: str) -> str:
        self.sock.sendall(line.encode() + b"\n")
        out = self._read_until_prompt()
        # The monitor echoes the command line (with terminal escapes); drop that first line.
        return out.split("\n", 1)[1] if "\n" in out else ""

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


_REG_RE = re.compile(r"[RE]IP=([0-9a-f]+)\s+[RE]?FL=([0-9a-f]+).*?HLT=(\d)", re.S)


def direct_load_problem(elf: str) -> str | None:
    """Why QEMU's -kernel could not load this kernel right, or None.

    QEMU loads the kernel through its multiboot1 header as one block of the file (boot.S), so the
    file must hold the loadable segments laid out as in memory: every PT_LOAD segment at the same
    file-offset-minus-address distance."""
    try:
        with open(elf, "rb") as f:
            data = f.read(65536)
    except OSError as e:
        return f"cannot read {elf}: {e.strerror}"
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return f"{elf} is not a 64-bit ELF file"
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    distances = set()
    for i in range(phnum):
        at = phoff + i * phentsize
        if at + 56 > len(data):
            return f"{elf}: program headers beyond the first 64 KiB"
        kind, _, offset, _, paddr, filesz = struct.unpack_from("<IIQQQQ", data, at)
        if kind == 1 and filesz:  # PT_LOAD with contents
            distances.add(offset - paddr)
    if len(distances) != 1:
        return (f"{elf}: its loadable segments are not laid out in the file as in memory, so QEMU's "
                "-kernel would load them wrong (see common/boot/linker.ld); boot its GRUB ISO instead")
    return None


# The firmware a machine boots on. BIOS is QEMU's default, SeaBIOS. UEFI is OVMF (Debian package
# ovmf), found at the first of these that exists: a code image with a variable store beside it
# (each machine gets a copy of the store, as its firmware writes to it), or one combined image.
FIRMWARES = ("bios", "uefi")
OVMF_SPLIT = [  # (code, variables): Debian 12 and 13
    ("/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"),
    ("/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"),
    ("/usr/share/edk2/ovmf/OVMF_CODE.fd", "/usr/share/edk2/ovmf/OVMF_VARS.fd"),
]
OVMF_COMBINED = ["/usr/share/ovmf/OVMF.fd", "/usr/share/qemu/OVMF.fd"]


def find_ovmf() -> tuple[str, str | None]:
    """OVMF's code image and its variable store (None for a combined image, booted with -bios).
    WORKBOOK_OVMF_CODE (and WORKBOOK_OVMF_VARS) name other files."""
    code, store = os.environ.get("WORKBOOK_OVMF_CODE"), os.environ.get("WORKBOOK_OVMF_VARS")
    if code:
        for path in (code, store):
            if path and not os.path.isfile(path):
                raise SystemExit(f"error: {path} (from WORKBOOK_OVMF_CODE/WORKBOOK_OVMF_VARS) does not exist")
        return code, store or None
    for code, store in OVMF_SPLIT:
        if os.path.isfile(code) and os.path.isfile(store):
            return code, store
    for code in OVMF_COMBINED:
        if os.path.isfile(code):
            return code, None
    tried = [c for c, _ in OVMF_SPLIT] + OVMF_COMBINED
    raise SystemExit("error: UEFI firmware (OVMF) not found; install it with: sudo apt-get install ovmf "
                     f"(looked for {', '.join(tried)}; WORKBOOK_OVMF_CODE and WORKBOOK_OVMF_VARS name "
                     "other files)")


def describe_firmware(firmware: str) -> str:
    """What the harness prints about the firmware: `UEFI (OVMF ...)` or `BIOS (SeaBIOS)`."""
    if firmware == "uefi":
        code, store = find_ovmf()
        return f"UEFI (OVMF {code}" + (f" with a copy of {os.path.basename(store)})" if store else ")")
    return "BIOS (SeaBIOS)"


def firmware_arguments(firmware: str, workdir: str) -> list[str]:
    """QEMU's arguments for the firmware; none for SeaBIOS, QEMU's default."""
    if firmware == "bios":
        return []
    if firmware != "uefi":
        raise SystemExit(f"error: unknown firmware {firmware!r} (known: {', '.join(FIRMWARES)})")
    code, store = find_ovmf()
    if store is None:
        return ["-bios", code]
    copy = os.path.join(workdir, "OVMF_VARS.fd")
    shutil.copyfile(store, copy)
    return ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={code}",
            "-drive", f"if=pflash,format=raw,unit=1,file={copy}"]


class Machine:
    """A QEMU process running one kernel, with serial output collected and a monitor attached.

    The kernel boots through GRUB from an ISO (the default), or with direct=True straight from
    its ELF file: QEMU's -kernel loads it through the shim's multiboot1 header, with no boot menu
    and no GRUB (the fast path for test kernels)."""

    emulator = "QEMU"
    error_verdict = "QEMU ERROR"
    poll_interval = 0.1  # the monitor answers without disturbing the guest

    def __init__(
        self,
        image: str,
        *,
        direct: bool = False,
        headless: bool = True,
        accel: str = "tcg",
        cpu: str | None = None,
        memory: str = "128M",
        gdb: bool = False,
        serial_to_stdout: bool = False,
        extra: list[str] | None = None,
        gdb_port: int | None = None,
        serial_file: str | None = None,
        terminal_monitor: bool = False,
        firmware: str = "bios",
    ):
        qemu = find_tool("qemu-system-x86_64", "qemu-system-x86")
        if firmware not in FIRMWARES:
            raise SystemExit(f"error: unknown firmware {firmware!r} (known: {', '.join(FIRMWARES)})")
        if direct and firmware == "uefi":
            raise SystemExit("error: a kernel boots on UEFI only through GRUB's EFI build from its ISO "
                             "(QEMU's -kernel path is SeaBIOS's); give the ISO")
        if not os.path.isfile(image):
            raise SystemExit(f"error: {image} does not exist; build it first (./workbook iso STAGE)")
        if direct:
            problem = direct_load_problem(image)
            if problem:
                raise SystemExit(f"error: {problem}")
        self.direct = direct
        self.firmware = firmware
        # What the harness prints about the boot path and the firmware.
        self.boot_path = ("direct: QEMU -kernel, multiboot1, no firmware boot menu or GRUB" if direct
                          else "GRUB from the ISO")
        self.firmware_name = describe_firmware(firmware)
        self.workdir = tempfile.mkdtemp(prefix="workbook-qemu-")
        self.monitor_path = os.path.join(self.workdir, "monitor.sock")
        # serial_file: keep the serial output in a file of the caller's (it outlives stop()).
        self.serial_path = os.path.abspath(serial_file) if serial_file else os.path.join(self.workdir, "serial.log")
        self.log_path = os.path.join(self.workdir, "qemu.log")
        args = [
            qemu,
            "-accel", accel,
            "-m", memory,
            *(["-kernel", os.path.abspath(image)] if direct else
              ["-cdrom", os.path.abspath(image), "-boot", "d"]),
            "-no-reboot",
            # No network card: no kernel here drives one, and leaving out the default e1000 (and
            # its option ROM) takes 0.04 s off every boot.
            "-nic", "none",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-monitor", f"unix:{self.monitor_path},server,nowait",
            "-d", "cpu_reset", "-D", self.log_path,
            *firmware_arguments(firmware, self.workdir),
        ]
        if terminal_monitor:
            # The terminal carries COM1 and a second monitor, multiplexed: Ctrl-A c switches between
            # them, Ctrl-A x ends QEMU. The log then holds the monitor's text as well as COM1's.
            args += ["-chardev", f"stdio,id=com1,mux=on,logfile={self.serial_path},signal=off",
                     "-serial", "chardev:com1", "-mon", "chardev=com1,mode=readline"]
        elif serial_to_stdout:
            args += ["-chardev", f"stdio,id=com1,logfile={self.serial_path},signal=off",
                     "-serial", "chardev:com1"]
        else:
            args += ["-serial", f"file:{self.serial_path}"]
        if headless:
            args += ["-display", "none"]
        if cpu:
            args += ["-cpu", cpu]
        if gdb:
            args += ["-s", "-S"]
        if gdb_port is not None:
            # Like -s -S, on a port of the caller's choice and reachable from this machine only.
            args += ["-gdb", f"tcp:127.0.0.1:{gdb_port}", "-S"]
        args += extra or []
        self.args = args
        self._ending: Ending | None = None
        self._font = None  # fbscreen.Font, loaded at the first framebuffer_screen()
        self.screen_problem: str | None = None  # why framebuffer_screen() last read nothing
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            die_with_parent(args),
            cwd=self.workdir,
            stdin=None if terminal_monitor else subprocess.DEVNULL,
            stdout=None if serial_to_stdout or terminal_monitor else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # Ctrl-C reaches the driver, which then stops QEMU itself
        )
        try:
            self.monitor: Monitor | None = Monitor(self.monitor_path, alive=lambda: self.proc.poll() is None)
        except OSError:
            self.monitor = None  # QEMU died before opening the monitor; poll() says why
        except BaseException:
            # A signal (Terminated, Ctrl-C) while the monitor connects: no caller holds this
            # machine yet to stop it, so it stops itself before passing the signal on.
            self.proc.kill()
            self.proc.wait()
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise

    # -- state ------------------------------------------------------------------------------
    def exited(self) -> int | None:
        return self.proc.poll()

    def ending(self) -> Ending | None:
        """How QEMU ended, from its exit status and log, or None while it runs."""
        status = self.proc.poll()
        if status is None:
            return None
        if self._ending is None:
            self._ending = self._classify(status)
        return self._ending

    def _classify(self, status: int) -> Ending:
        if status == EXIT_SUCCESS_STATUS:
            return Ending("success", "the kernel exited with the success code (QEMU status 33)")
        if status == EXIT_FAILURE_STATUS:
            return Ending("failure", "the kernel exited with the failure code (QEMU status 35)")
        if status == 0:  # -no-reboot: a reset or triple fault stops QEMU with status 0
            if self.triple_faulted():
                return Ending("triple fault", "QEMU stopped the machine")
            return Ending("reset", "the machine reset (QEMU exited with status 0 under -no-reboot) "
                          "without a logged triple fault")
        err = self.stderr().strip()
        return Ending("error", f"QEMU exited with status {status}" + (f": {err}" if err else ""))

    def diagnostics(self) -> str:
        """More about a run that ended in nothing (Bochs has some); QEMU's monitor said it all."""
        return ""

    def flush_serial(self) -> None:
        """serial_to_stdout: nothing to do, QEMU writes to stdout itself."""

    def may_have_halted(self) -> bool:
        """Whether cpu_state() is worth asking; the monitor is cheap, so always."""
        return True

    def stderr(self) -> str:
        if self.proc.poll() is None or self.proc.stderr is None:
            return ""
        return self.proc.stderr.read().decode("utf-8", "replace")

    def serial(self) -> str:
        return read_text(self.serial_path)

    def triple_faulted(self) -> bool:
        return "Triple fault" in read_text(self.log_path)

    def cpu_state(self) -> CpuState | None:
        if self.monitor is None or self.exited() is not None:
            return None
        try:
            out = self.monitor.command("info registers")
        except (OSError, ConnectionError):
            return None
        m = _REG_RE.search(out)
        if not m:
            return None
        return CpuState(int(m.group(1), 16), int(m.group(2), 16), m.group(3) == "1")

    def screen(self) -> Screen | None:
        """Reads the VGA text buffer out of the running guest; under UEFI, which has no text
        mode, the framebuffer console's cells (framebuffer_screen)."""
        if self.monitor is None or self.exited() is not None:
            return None
        if self.firmware == "uefi":
            return self.framebuffer_screen()
        name = "vga.bin"
        try:
            self.monitor.command(f'pmemsave {VGA_ADDRESS:#x} {VGA_COLUMNS * VGA_ROWS * 2} "{name}"')
            with open(os.path.join(self.workdir, name), "rb") as f:
                raw = f.read()
        except (OSError, ConnectionError):
            return None
        return Screen(raw) if len(raw) == VGA_COLUMNS * VGA_ROWS * 2 else None

    def framebuffer_screen(self) -> Screen | None:
        """Reads the framebuffer console's cells out of the running guest: QEMU's screendump
        decoded back into VGA text cells (fbscreen.py). For kernels booted under UEFI, which have
        no VGA text buffer. A picture that is not the console's grid (GRUB's menu, firmware
        screens) reads as None, and screen_problem says what could not be read."""
        if self.monitor is None or self.exited() is not None:
            return None
        import fbscreen  # only runs under UEFI need it (and the font it reads)

        name = "screen.ppm"
        try:
            self.monitor.command(f'screendump "{name}"')
            with open(os.path.join(self.workdir, name), "rb") as f:
                picture = f.read()
        except (OSError, ConnectionError):
            return None
        try:
            if self._font is None:
                self._font = fbscreen.Font()
            decoded = fbscreen.decode(picture, self._font)
        except fbscreen.DecodeError as e:
            self.screen_problem = str(e)
            return None
        self.screen_problem = None
        return Screen(decoded.raw, decoded.fg_unknown)

    def monitor_command(self, line: str) -> str | None:
        """A monitor command's output, or None when the monitor cannot be reached."""
        if self.monitor is None or self.exited() is not None:
            return None
        try:
            return self.monitor.command(line)
        except (OSError, ConnectionError):
            return None

    def sendkey(self, key: str) -> None:
        if self.monitor is not None:
            self.monitor.command(f"sendkey {key}")

    def wait(self, timeout: float) -> int | None:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        if self.monitor is not None:
            self.monitor.close()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def free_tcp_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (for QEMU's GDB stub)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def elf_symbols(elf: str) -> dict[str, tuple[int, int]]:
    """A kernel ELF's defined symbols: name -> (address, size), read from its .symtab.

    Read here rather than with nm, which takes about 90 ms per call (most of a test kernel's
    harness overhead); an unreadable or malformed file gives an empty table."""
    try:
        with open(elf, "rb") as f:
            data = f.read()
    except OSError:
        return {}
    if len(data) < 64 or data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return {}  # only 64-bit little-endian ELF, which every workbook kernel is
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    if shentsize < 64 or shoff + shnum * shentsize > len(data):
        return {}
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    symbols: dict[str, tuple[int, int]] = {}
    for _, kind, _, _, offset, size, link, _, _, entsize in sections:
        if kind != 2 or entsize < 24 or link >= shnum:  # SHT_SYMTAB
            continue
        str_offset, str_size = sections[link][4], sections[link][5]
        if offset + size > len(data) or str_offset + str_size > len(data):
            return {}
        strings = data[str_offset:str_offset + str_size]
        for at in range(offset, offset + size - entsize + 1, entsize):
            name_at, _, _, shndx, value, sym_size = struct.unpack_from("<IBBHQQ", data, at)
            if shndx == 0 or name_at >= len(strings):  # undefined
                continue
            name_end = strings.find(b"\0", name_at)
            name = strings[name_at:name_end if name_end >= 0 else len(strings)].decode("utf-8", "replace")
            if name:
                symbols[name] = (value, sym_size)
    return symbols


def symbol_range(elf: str, start: str, end: str) -> tuple[int, int] | None:
    """Addresses of two symbols of a kernel ELF."""
    symbols = elf_symbols(elf)
    if start in symbols and end in symbols:
        return symbols[start][0], symbols[end][0]
    return None


def function_range(elf: str, name: str) -> tuple[int, int] | None:
    """[start, end) of a function of a kernel ELF, from its symbol table."""
    found = elf_symbols(elf).get(name)
    return (found[0], found[0] + found[1]) if found else None


def describe_rip(elf: str | None, rip: int) -> str:
    """`0x1002c1 in kernel_main (src/main.cpp:17)`, from the kernel's debug information."""
    if not elf:
        return f"{rip:#x}"
    try:
        out = subprocess.run(["addr2line", "-f", "-C", "-e", elf, f"{rip:#x}"],
                             capture_output=True, text=True, timeout=5).stdout.split("\n")
        if out and out[0] and out[0] != "??":
            return f"{rip:#x} in {out[0]} ({out[1] if len(out) > 1 else '?'})"
    except (OSError, subprocess.TimeoutExpired):
        pass
    return f"{rip:#x}"


def halted_for_good(cpu: CpuState | None, text_range: tuple[int, int] | None) -> bool:
    """The CPU sleeps with interrupts off inside the kernel: only an NMI or reset could wake it."""
    if cpu is None or not cpu.halted or cpu.interrupts_enabled:
        return False
    return text_range is None or text_range[0] <= cpu.rip < text_range[1]
