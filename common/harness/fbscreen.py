"""Reads the framebuffer console's screen back as VGA text cells.

Under UEFI the kernels draw their 80x25 cells on a framebuffer (stage 03's framebuffer.cpp): each
cell is an 8x16 glyph of the VGA font, foreground and background in the VGA's 16 colours, the
grid at the framebuffer's top left corner. QEMU's `screendump` gives the picture as a PPM file;
decode() turns it back into the bytes `pmemsave 0xb8000 4000` gives under BIOS: per cell a code
page 437 character byte and an attribute byte (background << 4 | foreground). It matches glyphs
and colours exactly, against the same font the kernel was built with, and fails with a message
that names the cell when a cell is not a glyph in two VGA colours.

A cell whose glyph has no lit pixel (a space) shows only its background: its foreground cannot be
read from the picture. decode() reports it as a space whose foreground is unknown (see
Decoded.fg_unknown), and the screen checks then compare only the background."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "font"))
import psf  # noqa: E402  (common/font/psf.py: the font file's reader, shared with the build)

COLUMNS, ROWS = 80, 25
GLYPH_WIDTH, GLYPH_HEIGHT = psf.WIDTH, psf.HEIGHT

# The VGA's 16 colours (default palette), as the kernel's framebuffer.h has them.
PALETTE = (
    (0x00, 0x00, 0x00), (0x00, 0x00, 0xAA), (0x00, 0xAA, 0x00), (0x00, 0xAA, 0xAA),
    (0xAA, 0x00, 0x00), (0xAA, 0x00, 0xAA), (0xAA, 0x55, 0x00), (0xAA, 0xAA, 0xAA),
    (0x55, 0x55, 0x55), (0x55, 0x55, 0xFF), (0x55, 0xFF, 0x55), (0x55, 0xFF, 0xFF),
    (0xFF, 0x55, 0x55), (0xFF, 0x55, 0xFF), (0xFF, 0xFF, 0x55), (0xFF, 0xFF, 0xFF),
)
_COLOR_INDEX = {bytes(rgb): i for i, rgb in enumerate(PALETTE)}

BLANK = 0x20


class DecodeError(Exception):
    pass


class Decoded:
    """raw: 4000 bytes laid out like the VGA text buffer; fg_unknown: indices (row * 80 + column)
    of cells whose foreground the picture does not show (their attribute's low nibble is 0)."""

    def __init__(self, raw: bytes, fg_unknown: frozenset[int]) -> None:
        self.raw, self.fg_unknown = raw, fg_unknown


def _preference(code: int) -> tuple[int, int]:
    """Which of several characters that look alike to report: printable ASCII first (what the
    writer prints), then 0xfe (its replacement character), then the rest by code."""
    if 0x20 <= code <= 0x7E:
        return (0, code)
    if code == 0xFE:
        return (1, code)
    return (2, code)


class Font:
    """The glyphs of a PSF font, looked up by their bitmap."""

    def __init__(self, path: str = psf.DEFAULT_FONT) -> None:
        try:
            glyphs = psf.load(path)
        except psf.FontError as e:
            raise DecodeError(f"the console font: {e}") from None
        self.by_bitmap: dict[bytes, int] = {}
        for code in sorted(range(len(glyphs)), key=_preference, reverse=True):
            self.by_bitmap[glyphs[code]] = code  # the preferred code is written last
        self.path = path


def read_ppm(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and the RGB bytes of a binary PPM (P6, maxval 255), as QEMU writes it."""
    fields, pos = [], 0
    while len(fields) < 4:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.find(b"\n", pos) + 1 or len(data)
            continue
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace():
            pos += 1
        if start == pos:
            raise DecodeError("the screendump is not a PPM picture (header cut short)")
        fields.append(data[start:pos])
    pos += 1  # the single whitespace byte after maxval
    if fields[0] != b"P6" or fields[3] != b"255":
        raise DecodeError(f"the screendump is not a binary PPM with 8-bit colours "
                          f"(header {b' '.join(fields).decode('latin1')!r})")
    try:
        width, height = int(fields[1]), int(fields[2])
    except ValueError:
        raise DecodeError("the screendump's PPM header has no valid size") from None
    pixels = data[pos:pos + width * height * 3]
    if len(pixels) != width * height * 3:
        raise DecodeError(f"the screendump holds {len(pixels)} bytes of pixels, not {width}x{height}x3")
    return width, height, pixels


def decode(ppm: bytes, font: Font) -> Decoded:
    width, height, pixels = read_ppm(ppm)
    if width < COLUMNS * GLYPH_WIDTH or height < ROWS * GLYPH_HEIGHT:
        raise DecodeError(f"the screen is {width}x{height} pixels, smaller than the 80x25 cell grid "
                          f"({COLUMNS * GLYPH_WIDTH}x{ROWS * GLYPH_HEIGHT}): not the framebuffer "
                          f"console (did GRUB keep a text mode, or is the kernel not drawing yet?)")
    stride = width * 3
    raw = bytearray(COLUMNS * ROWS * 2)
    unknown = set()
    for row in range(ROWS):
        for col in range(COLUMNS):
            left = col * GLYPH_WIDTH * 3
            first = (row * GLYPH_HEIGHT) * stride + left
            one_color = pixels[first:first + 3] * GLYPH_WIDTH
            i = row * COLUMNS + col
            if all(pixels[first + y * stride:first + y * stride + GLYPH_WIDTH * 3] == one_color
                   for y in range(GLYPH_HEIGHT)) and one_color[:3] in _COLOR_INDEX:
                # The common case, a blank cell: no need to look at every pixel.
                raw[2 * i] = BLANK
                raw[2 * i + 1] = _COLOR_INDEX[one_color[:3]] << 4
                unknown.add(i)
                continue
            colors = []  # the colour index of each pixel, row by row
            for y in range(GLYPH_HEIGHT):
                base = (row * GLYPH_HEIGHT + y) * stride + col * GLYPH_WIDTH * 3
                line = pixels[base:base + GLYPH_WIDTH * 3]
                for x in range(GLYPH_WIDTH):
                    index = _COLOR_INDEX.get(line[3 * x:3 * x + 3])
                    if index is None:
                        r, g, b = line[3 * x:3 * x + 3]
                        raise DecodeError(
                            f"cell row {row}, column {col}: pixel ({x}, {y}) has colour "
                            f"#{r:02x}{g:02x}{b:02x}, which is none of the VGA's 16 colours")
                    colors.append(index)
            present = sorted(set(colors))
            if len(present) > 2:
                raise DecodeError(f"cell row {row}, column {col}: {len(present)} colours "
                                  f"({', '.join(map(str, present))}); a glyph has two")
            candidates = []  # (code, foreground, background)
            if len(present) == 1:
                candidates.append((BLANK, 0, present[0]))
            else:
                for fg, bg in ((present[0], present[1]), (present[1], present[0])):
                    bitmap = bytes(
                        sum(0x80 >> x for x in range(GLYPH_WIDTH) if colors[y * GLYPH_WIDTH + x] == fg)
                        for y in range(GLYPH_HEIGHT))
                    code = font.by_bitmap.get(bitmap)
                    if code is not None:
                        candidates.append((code, fg, bg))
            if not candidates:
                raise DecodeError(f"cell row {row}, column {col}: its pixels (colours {present[0]} and "
                                  f"{present[1]}) match no glyph of {font.path}")
            code, fg, bg = min(candidates, key=lambda c: _preference(c[0]))
            raw[2 * i] = code
            raw[2 * i + 1] = bg << 4 | fg
            if len(present) == 1:
                unknown.add(i)
    return Decoded(bytes(raw), frozenset(unknown))
