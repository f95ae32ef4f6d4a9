#!/usr/bin/env python3
"""Reads a PC Screen Font (PSF version 1 or 2, optionally gzip-compressed) and writes its first
256 glyphs as the C++ array that common/include/font/vga_font.h declares.

    psf.py FONT OUTPUT.cpp

The framebuffer consoles draw the VGA text mode's character set with it, so the font must hold
8x16 glyphs in code page 437 order (Debian's console-data default8x16.psf.gz does). The harness's
screen decoder (common/harness/fbscreen.py) loads the same file through load() to recognise
the glyphs again. A missing or malformed font stops with a message that says what is wrong."""

from __future__ import annotations

import gzip
import os
import struct
import sys

DEFAULT_FONT = "/usr/share/consolefonts/default8x16.psf.gz"
FONT_PACKAGE = "console-data"
GLYPHS = 256
WIDTH = 8
HEIGHT = 16

# PSF1: magic 0x36 0x04, mode byte, bytes per glyph (= height, glyphs 8 pixels wide).
PSF1_MAGIC = b"\x36\x04"
PSF1_MODE_512 = 0x01  # 512 glyphs instead of 256
PSF1_MODE_HASTAB = 0x02  # a Unicode table follows the glyphs (0x04 says the same)
PSF1_MODE_SEQ = 0x04
PSF2_HAS_UNICODE_TABLE = 0x01
# PSF2: magic, version, header size, flags, glyph count, bytes per glyph, height, width.
PSF2_MAGIC = b"\x72\xb5\x4a\x86"


class FontError(Exception):
    pass


def load(path: str = DEFAULT_FONT) -> list[bytes]:
    """The first 256 glyphs of the font at path, each 16 bytes: one per pixel row, top first,
    bit 7 the leftmost pixel."""
    if not os.path.isfile(path):
        raise FontError(f"{path} does not exist; it comes with the Debian package {FONT_PACKAGE} "
                        f"(sudo apt-get install {FONT_PACKAGE}, or run ./workbook, which installs it)")
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as e:
            raise FontError(f"{path}: not a valid gzip file ({e})") from None

    if data[:2] == PSF1_MAGIC:
        if len(data) < 4:
            raise FontError(f"{path}: PSF1 header cut short")
        mode, charsize = data[2], data[3]
        count = 512 if mode & PSF1_MODE_512 else 256
        width, height, offset = 8, charsize, 4
    elif data[:4] == PSF2_MAGIC:
        if len(data) < 32:
            raise FontError(f"{path}: PSF2 header cut short")
        _version, headersize, _flags, count, charsize, height, width = struct.unpack_from("<7I", data, 4)
        if headersize < 32:
            raise FontError(f"{path}: PSF2 header size {headersize} is below 32")
        if charsize != height * ((width + 7) // 8):
            raise FontError(f"{path}: PSF2 glyph size {charsize} does not fit {width}x{height} pixels")
        offset = headersize
    else:
        raise FontError(f"{path}: not a PSF font (magic {data[:4].hex()}, expected 3604 for PSF1 "
                        f"or 72b54a86 for PSF2)")

    # Where the Unicode table starts (None without one): it says which characters each glyph
    # shows, which is how the glyph order is checked below.
    if data[:2] == PSF1_MAGIC:
        has_table = bool(mode & (PSF1_MODE_HASTAB | PSF1_MODE_SEQ))
    else:
        has_table = bool(_flags & PSF2_HAS_UNICODE_TABLE)
    table = offset + count * charsize if has_table else None

    if (width, height) != (WIDTH, HEIGHT):
        raise FontError(f"{path}: glyphs are {width}x{height} pixels; the console draws 8x16 cells")
    if count < GLYPHS:
        raise FontError(f"{path}: {count} glyphs; code page 437 needs {GLYPHS}")
    end = offset + GLYPHS * HEIGHT
    if len(data) < end:
        raise FontError(f"{path}: {len(data)} bytes, too short for {GLYPHS} glyphs of {HEIGHT} bytes "
                        f"after a {offset}-byte header")
    if table is None or table > len(data):
        raise FontError(f"{path}: no Unicode table, so nothing says the glyphs are in code page 437 order")
    shows = _unicode_table(data, table, count, psf2=data[:2] != PSF1_MAGIC, path=path)
    # Every byte outside the control range must show its code page 437 character (the control
    # range holds the IBM set's pictures, which Python's cp437 codec leaves as controls).
    wrong = [b for b in list(range(0x20, 0x7F)) + list(range(0x80, 0x100))
             if ord(bytes([b]).decode("cp437")) not in shows[b]]
    if wrong:
        raise FontError(f"{path}: not in code page 437 order: the glyphs of "
                        f"{', '.join(f'0x{b:02x}' for b in wrong[:8])} show other characters")
    return [data[offset + i * HEIGHT: offset + (i + 1) * HEIGHT] for i in range(GLYPHS)]


def _unicode_table(data: bytes, start: int, count: int, psf2: bool, path: str) -> list[set[int]]:
    """The code points each of the first 256 glyphs shows. PSF1: 16-bit little-endian code
    points, 0xfffe before combining sequences, 0xffff ending each glyph's list. PSF2: UTF-8,
    0xfe before sequences, 0xff ending each list. Sequences are skipped."""
    shows: list[set[int]] = []
    pos = start
    for _ in range(min(count, GLYPHS)):
        chars: set[int] = set()
        in_sequence = False
        while True:
            if psf2:
                end = data.find(b"\xff", pos)
                if end < 0:
                    raise FontError(f"{path}: Unicode table cut short")
                entry, pos = data[pos:end], end + 1
                single = entry.split(b"\xfe")[0]
                try:
                    chars.update(ord(c) for c in single.decode("utf-8"))
                except UnicodeDecodeError:
                    raise FontError(f"{path}: Unicode table holds invalid UTF-8") from None
                break
            if pos + 2 > len(data):
                raise FontError(f"{path}: Unicode table cut short")
            value = struct.unpack_from("<H", data, pos)[0]
            pos += 2
            if value == 0xFFFF:
                break
            if value == 0xFFFE:
                in_sequence = True
            elif not in_sequence:
                chars.add(value)
        shows.append(chars)
    return shows


def to_cpp(glyphs: list[bytes], source: str) -> str:
    lines = [
        f"// Generated at build time by common/font/psf.py from {source}. Do not edit.",
        "#include <font/vga_font.h>",
        "",
        "namespace font {",
        "",
        "const std::uint8_t GLYPHS[GLYPH_COUNT][GLYPH_HEIGHT] = {",
    ]
    for code, glyph in enumerate(glyphs):
        rows = ", ".join(f"0x{b:02x}" for b in glyph)
        lines.append(f"    {{{rows}}},  // 0x{code:02x}")
    lines += ["};", "", "}  // namespace font", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(f"usage: {argv[0]} FONT OUTPUT.cpp", file=sys.stderr)
        return 2
    font, output = argv[1], argv[2]
    try:
        glyphs = load(font)
    except FontError as e:
        print(f"error: the framebuffer console's font: {e}", file=sys.stderr)
        return 1
    text = to_cpp(glyphs, font)
    # Rewritten only when it changes, so a reconfiguration does not recompile it.
    try:
        with open(output, encoding="utf-8") as f:
            if f.read() == text:
                return 0
    except OSError:
        pass
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with open(output, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
