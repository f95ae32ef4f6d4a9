#!/usr/bin/env python3
"""screens.py --build DIR --out DIR [STAGE...] -- the stages' screens, taken from the real kernels.

Boots each stage's main kernel (build/NN-name/kernel.iso) headless under QEMU, waits until its
screen shows what its chapter describes, and saves QEMU's picture of the screen (the monitor's
`screendump`) as DIR/NN-name.png. The book's website (site.py --screens DIR) shows each chapter
its stage's screen. Stage 01 writes nothing: its picture is what GRUB left on the screen when the
kernel halted, which is what Chapter 1 says a successful boot looks like.

When is a screen "ready"? A fixed condition, so that two builds take the same picture:
  * stages 01 to 06 halt when they are done: the picture is taken once the CPU has halted for
    good (halted with interrupts off, inside the kernel);
  * from stage 07 on the kernel keeps running, the timer prints a dot on every tick and the
    keyboard echoes keys. The picture is taken once the stage's last line is on the screen
    (`It did not crash!`, stage 12's `async number: 42`), KEYS have been typed, the screen shows
    their echo, and DOTS_AFTER timer dots have followed it. Only the number of dots printed before
    the keys were typed varies between runs.

The same boot is used by check_output.py, which compares the book's output blocks with the
screen and serial output of the same moment.

The PNG is written by a small encoder over zlib (Python's standard library), with no imaging
library."""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import struct
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "common" / "harness"))
import qemu  # noqa: E402

TIMER_STAGES_FROM = 7           # the first stage whose timer handler prints dots
READY = {12: "async number: 42"}  # the last line a stage's kernel prints, where not the default
READY_DEFAULT = "It did not crash!"
KEYS = "h e l l o spc shift-w o r l d shift-1"   # QEMU sendkey names, as the tests use them
DOTS_AFTER = 8                  # timer dots after the last text before the picture is taken
BOOT_TIMEOUT = 60.0             # seconds; a busy 2-core machine boots a kernel in 1 to 3


_SHIFTED = dict(zip("1234567890", "!@#$%^&*()"))


def echo_of(keys: str) -> str | None:
    """What the kernel echoes for KEYS (letters, digits, spc, shift-), or None when the keys hold
    others (ret, arrows...), whose echo is not one line of text."""
    out = []
    for key in keys.split():
        shift = key.startswith("shift-")
        name = key[len("shift-"):] if shift else key
        if name == "spc" and not shift:
            out.append(" ")
        elif len(name) == 1 and name.isalpha():
            out.append(name.upper() if shift else name)
        elif len(name) == 1 and name.isdigit():
            out.append(_SHIFTED[name] if shift else name)
        else:
            return None
    return "".join(out)


def stage_number(stage: str) -> int:
    return int(stage[:2])


def has_timer_dots(stage: str) -> bool:
    return stage_number(stage) >= TIMER_STAGES_FROM


@dataclass
class Capture:
    """What a kernel showed at the moment of the capture."""

    stage: str
    screen: qemu.Screen | None = None
    serial: str = ""
    monitor: dict[str, str] = field(default_factory=dict)
    ppm: bytes | None = None
    error: str | None = None


def dots_after(text: str, screen: qemu.Screen) -> int | None:
    """How many timer dots follow the last occurrence of text on the screen, or None if the text
    is not there. The rows are read end to end, as the writer fills them."""
    joined = screen.joined()
    found = None
    for found in re.finditer(dotted(text), joined):
        pass
    return None if found is None else joined[found.end():].count(".")


def dotted(text: str) -> str:
    """A regular expression for text as the screen shows it while the timer runs: a timer dot
    may land between any two characters (keys typed one by one are echoed between ticks)."""
    return r"\.*".join(re.escape(c) for c in text)


def boot(build: Path, stage: str, *, kernel: str = "kernel", keys: str | None = None,
         typed: str | None = None, monitor_commands: tuple[str, ...] = (), screendump: bool = False,
         timeout: float = BOOT_TIMEOUT, ends: str = "success") -> Capture:
    """Boots one kernel of a stage and captures its screen, serial output and monitor answers
    at the ready moment (see the module's description). The main kernel boots from its GRUB ISO,
    other kernels (test kernels that report over serial and exit) straight from their ELF. A
    kernel that exits must end the way `ends` says: "success" or "failure" (a test kernel whose
    test fails on purpose)."""
    cap = Capture(stage)
    elf = build / stage / f"{kernel}.elf"
    image = build / stage / "kernel.iso" if kernel == "kernel" else elf
    if not image.is_file():
        how = (f"./workbook iso {stage[:2]}" if kernel == "kernel" else
               f"cmake --build {build} --target s{stage[:2]}_{kernel}, or ./workbook test {stage[:2]}")
        cap.error = f"{image} does not exist; build it first ({how})"
        return cap
    m = qemu.Machine(str(image), direct=kernel != "kernel")
    try:
        text_range = qemu.symbol_range(str(elf), "__text_start", "__text_end")
        running = kernel == "kernel" and has_timer_dots(stage)
        ready = READY.get(stage_number(stage), READY_DEFAULT)
        keys_sent = not keys
        deadline = time.monotonic() + timeout
        while True:
            ending = m.ending()
            if ending is not None:
                cap.serial = m.serial()
                if ending.kind != ends:
                    cap.error = (f"{stage}/{kernel}: the kernel ended: {ending.kind}: {ending.detail}"
                                 + (f" (expected: {ends})" if ends != "success" else ""))
                return cap  # a test kernel that exits: its serial output is all there is
            if time.monotonic() > deadline:
                screen = m.screen()
                cap.error = (f"{stage}/{kernel}: not ready after {timeout:g} s (waiting for "
                             f"{(typed if keys_sent else ready)!r} and {DOTS_AFTER} timer dots)"
                             if running else f"{stage}/{kernel}: did not halt within {timeout:g} s")
                if screen is not None:
                    cap.error += "; the screen:\n" + screen.render()
                return cap
            if running:
                screen = m.screen()
                if screen is not None and "PANIC at " in screen.text():
                    cap.error = f"{stage}/{kernel}: the kernel panicked:\n" + screen.render()
                    return cap
                if screen is not None:
                    after = dots_after(ready if not keys_sent or not typed else typed, screen)
                    if not keys_sent and after is not None and after >= 1:
                        for key in keys.split():
                            m.sendkey(key)  # each at once: QEMU's PS/2 queue holds them
                        keys_sent = True
                    elif keys_sent and after is not None and after >= DOTS_AFTER:
                        break
                time.sleep(0.05)
            else:  # a kernel that halts when it is done (or exits, above)
                if qemu.halted_for_good(m.cpu_state(), text_range):
                    break
                m.wait(0.05)
        cap.screen = m.screen()
        cap.serial = m.serial()
        for command in monitor_commands:
            cap.monitor[command] = m.monitor_command(command) or ""
        if screendump:
            name = "screen.ppm"
            m.monitor_command(f'screendump "{name}"')
            cap.ppm = (Path(m.workdir) / name).read_bytes()
        return cap
    finally:
        m.stop()


# --- PNG, from QEMU's PPM picture -------------------------------------------------------------

def read_ppm(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and RGB bytes of a binary PPM (P6, 8 bits per sample), as QEMU writes it."""
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":  # a comment runs to the end of its line
            pos = data.index(b"\n", pos) + 1
            continue
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    if fields[0] != b"P6" or fields[3] != b"255":
        raise ValueError(f"not an 8-bit binary PPM (P6): header {b' '.join(fields)!r}")
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:pos + 1 + width * height * 3]  # one whitespace byte ends the header
    if len(pixels) != width * height * 3:
        raise ValueError(f"PPM of {width}x{height} holds {len(pixels)} bytes of pixels")
    return width, height, pixels


def png(width: int, height: int, rgb: bytes) -> bytes:
    """A PNG (8-bit RGB, no interlace) of the pixels: signature, IHDR, one IDAT, IEND. Every row
    uses filter 0 (none); zlib's compression does well enough on a text screen."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    stride = width * 3
    rows = b"".join(b"\0" + rgb[y * stride:(y + 1) * stride] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


def take(build: Path, out: Path, stage: str) -> str | None:
    """Takes one stage's screenshot into out/<stage>.png; returns a problem, or None."""
    keys = KEYS if has_timer_dots(stage) else None
    cap = boot(build, stage, keys=keys, typed=echo_of(keys) if keys else None, screendump=True)
    if cap.error:
        return cap.error
    if cap.ppm is None:
        return f"{stage}: QEMU wrote no picture"
    try:
        picture = png(*read_ppm(cap.ppm))
    except ValueError as e:
        return f"{stage}: {e}"
    target = out / f"{stage}.png"
    partial = target.with_suffix(".png.part")
    partial.write_bytes(picture)
    os.replace(partial, target)
    return None


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", type=Path, required=True, help="the build directory (build/)")
    p.add_argument("--out", type=Path, required=True, help="where the PNGs go (build/book-screens/)")
    p.add_argument("--jobs", type=int, default=1, help="kernels booted at once (default 1)")
    p.add_argument("stages", nargs="*", help="stage directories (default: every stage whose "
                   "kernel is built)")
    a = p.parse_args()
    build = a.build.resolve()
    stages = a.stages or sorted(d.name for d in build.iterdir()
                                if (d / "kernel.iso").is_file() and re.fullmatch(r"\d\d-.+", d.name))
    if not stages:
        print(f"screens.py: error: no stage kernel ISOs in {build}; build them first "
              "(./workbook iso N)", file=sys.stderr)
        return 1
    a.out.mkdir(parents=True, exist_ok=True)
    qemu.end_on_signals()
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        problems = [x for x in pool.map(lambda s: take(build, a.out, s), stages) if x]
    for problem in problems:
        print(f"screens.py: error: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"screens.py: {len(stages)} screen(s) in {a.out} ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
