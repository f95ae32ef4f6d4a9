#!/usr/bin/env python3
"""Checks that a headless run prints the screen in its colours on a terminal, and plainly otherwise.

    screen_colors.py -- COMMAND...

COMMAND is run.py booting the wrong_screen self-test kernel, which writes "Hello" in white on
black (VGA attribute 0x0f) and halts. Three runs:
  - on a pseudo-terminal: the screen's row holds "Hello" after the escape for bright white on
    black (ESC [97;40m);
  - on a pseudo-terminal with --no-color: "Hello" with no escape anywhere;
  - into a file (not a terminal): the same, no escape.
Exit status: 0 when all three hold, 1 otherwise.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys

WHITE_ON_BLACK = "\x1b[97;40mHello"


def on_terminal(argv: list[str]) -> str:
    """The command's output when its standard output is a terminal."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: every writer has closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    proc.wait(timeout=60)
    return b"".join(chunks).decode(errors="replace")


def main() -> int:
    argv = sys.argv[1:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: screen_colors.py -- COMMAND...", file=sys.stderr)
        return 2
    problems = []
    colored = on_terminal(argv)
    if WHITE_ON_BLACK not in colored:
        problems.append("on a terminal, the screen does not show 'Hello' after ESC[97;40m (white on "
                        "black):\n" + colored)
    plain = on_terminal(argv + ["--no-color"])
    if "\x1b[" in plain or "Hello" not in plain:
        problems.append("on a terminal with --no-color, the output has escapes or no 'Hello':\n" + plain)
    piped = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60).stdout
    if "\x1b[" in piped or "Hello" not in piped:
        problems.append("into a pipe, the output has escapes or no 'Hello':\n" + piped)
    for p in problems:
        print(f"screen_colors: FAILED: {p}")
    if not problems:
        print("screen_colors: colours on a terminal; none with --no-color or into a pipe")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
