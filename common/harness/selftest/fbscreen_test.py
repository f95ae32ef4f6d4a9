#!/usr/bin/env python3
"""Unit tests of the framebuffer screen decoder (common/harness/fbscreen.py).

    fbscreen_test.py [FONT]

The main case is a real screen: stage 03's colors kernel drawn on the framebuffer under OVMF
must decode into exactly the cells the same kernel leaves in the VGA text buffer under BIOS
(data/README.md says how both were taken). The others change that picture: a pixel in a colour
the VGA has not, a cell whose pixels are no glyph, a cell in three colours, a picture too small,
a file that is not a PPM; each must fail with a message that names the cell or the problem."""

from __future__ import annotations

import gzip
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import fbscreen  # noqa: E402

FONT_PATH = fbscreen.psf.DEFAULT_FONT


def load_fixture() -> tuple[bytes, bytes]:
    with gzip.open(os.path.join(HERE, "data", "colors-uefi.ppm.gz")) as f:
        ppm = f.read()
    with open(os.path.join(HERE, "data", "colors-bios.vga"), "rb") as f:
        vga = f.read()
    return ppm, vga


def set_pixel(ppm: bytes, x: int, y: int, rgb: tuple[int, int, int]) -> bytes:
    width, _height, pixels = fbscreen.read_ppm(ppm)
    header = ppm[:len(ppm) - len(pixels)]
    out = bytearray(pixels)
    out[(y * width + x) * 3:(y * width + x) * 3 + 3] = bytes(rgb)
    return header + bytes(out)


class DecodeRealScreen(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.font = fbscreen.Font(FONT_PATH)
        cls.ppm, cls.vga = load_fixture()

    def test_every_cell_matches_the_text_mode_buffer(self) -> None:
        decoded = fbscreen.decode(self.ppm, self.font)
        self.assertEqual(len(decoded.raw), 4000)
        for i in range(fbscreen.ROWS * fbscreen.COLUMNS):
            where = f"row {i // 80}, column {i % 80}"
            self.assertEqual(decoded.raw[2 * i], self.vga[2 * i], f"character at {where}")
            mask = 0xF0 if i in decoded.fg_unknown else 0xFF
            self.assertEqual(decoded.raw[2 * i + 1] & mask, self.vga[2 * i + 1] & mask, f"attribute at {where}")

    def test_known_cells(self) -> None:
        decoded = fbscreen.decode(self.ppm, self.font)
        row = lambda r: bytes(decoded.raw[2 * (r * 80 + c)] for c in range(80)).decode("cp437").rstrip()
        self.assertEqual(row(19), "black on white")
        self.assertEqual(decoded.raw[2 * (19 * 80) + 1], 0xF0)
        self.assertEqual(row(20), "yellow on blue")
        self.assertEqual(decoded.raw[2 * (20 * 80) + 1], 0x1E)
        # The replacement character 0xfe (■) in yellow on black, between 'a' and 'b'.
        self.assertEqual(decoded.raw[2 * (21 * 80 + 1)], 0xFE)
        self.assertEqual(decoded.raw[2 * (21 * 80 + 1) + 1], 0x0E)
        # Blank cells show no foreground; only their background is known.
        self.assertIn(0, decoded.fg_unknown)
        self.assertNotIn(21 * 80, decoded.fg_unknown)

    def test_a_colour_outside_the_palette_is_named(self) -> None:
        bad = set_pixel(self.ppm, 3, 21 * 16 + 5, (0x12, 0x34, 0x56))
        with self.assertRaisesRegex(fbscreen.DecodeError, r"cell row 21, column 0: pixel \(3, 5\) has colour #123456"):
            fbscreen.decode(bad, self.font)

    def test_a_cell_that_is_no_glyph_is_named(self) -> None:
        # One more yellow pixel in the blank corner of 'a' (row 21, column 0) makes a bitmap
        # that no glyph of the font has.
        bad = set_pixel(self.ppm, 7, 21 * 16 + 0, (0xFF, 0xFF, 0x55))
        with self.assertRaisesRegex(fbscreen.DecodeError, r"cell row 21, column 0: .*match no glyph"):
            fbscreen.decode(bad, self.font)

    def test_three_colours_in_a_cell(self) -> None:
        bad = set_pixel(self.ppm, 0, 21 * 16, (0x00, 0x00, 0xAA))
        with self.assertRaisesRegex(fbscreen.DecodeError, r"cell row 21, column 0: 3 colours"):
            fbscreen.decode(bad, self.font)

    def test_a_text_mode_picture_is_refused(self) -> None:
        small = b"P6\n320 200\n255\n" + bytes(320 * 200 * 3)
        with self.assertRaisesRegex(fbscreen.DecodeError, "smaller than the 80x25 cell grid"):
            fbscreen.decode(small, self.font)

    def test_not_a_ppm(self) -> None:
        with self.assertRaisesRegex(fbscreen.DecodeError, "not a binary PPM"):
            fbscreen.decode(b"P3\n640 480\n255\n0 0 0", self.font)
        with self.assertRaisesRegex(fbscreen.DecodeError, "holds .* bytes of pixels"):
            fbscreen.decode(b"P6\n640 480\n255\n" + bytes(10), self.font)


class FontFile(unittest.TestCase):
    def test_missing_font_names_the_package(self) -> None:
        with self.assertRaisesRegex(fbscreen.DecodeError, "console-data"):
            fbscreen.Font("/nonexistent/font.psf.gz")

    def test_glyph_order_is_code_page_437(self) -> None:
        glyphs = fbscreen.psf.load(FONT_PATH)  # checks the font's Unicode table itself
        # Space is blank, the full block 0xdb is lit everywhere, and the upper and lower half
        # blocks 0xdf and 0xdc together make it: the IBM VGA set's order, which text mode uses.
        self.assertEqual(glyphs[0x20], bytes(16))
        self.assertEqual(glyphs[0xDB], b"\xff" * 16)
        self.assertEqual(bytes(a | b for a, b in zip(glyphs[0xDC], glyphs[0xDF])), b"\xff" * 16)
        self.assertEqual(bytes(a & b for a, b in zip(glyphs[0xDC], glyphs[0xDF])), bytes(16))

    def test_a_font_in_another_order_is_refused(self) -> None:
        import gzip as gz
        import tempfile
        with gz.open(FONT_PATH) as f:
            data = bytearray(f.read())
        # The Unicode table's entry for glyph 0x41 made to say U+0042 ('B'): a font whose
        # glyph 0x41 shows 'B' is not in code page 437 order.
        table = 4 + 256 * 16
        pos, entry = table, 0
        while entry < 0x41:
            if data[pos:pos + 2] == b"\xff\xff":
                entry += 1
            pos += 2
        self.assertEqual(data[pos:pos + 2], b"\x41\x00")
        data[pos:pos + 2] = b"\x42\x00"
        with tempfile.NamedTemporaryFile(suffix=".psf") as f:
            f.write(bytes(data))
            f.flush()
            with self.assertRaisesRegex(fbscreen.psf.FontError, "not in code page 437 order: the glyphs of 0x41"):
                fbscreen.psf.load(f.name)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        FONT_PATH = sys.argv.pop(1)
    unittest.main(verbosity=1)
