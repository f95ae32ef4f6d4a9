// The 8x16 bitmap font the framebuffer consoles draw with: the IBM VGA character set (code page
// 437), one glyph per byte value, as the VGA text mode shows them. The glyphs come from a Debian
// console font (package console-data), converted at build time by common/font/psf.py into
// <build>/generated/vga_font.cpp; nothing here is typed in by hand.
#pragma once

#include <cstddef>
#include <cstdint>

namespace font {

inline constexpr std::size_t GLYPH_COUNT = 256;
inline constexpr std::size_t GLYPH_WIDTH = 8;
inline constexpr std::size_t GLYPH_HEIGHT = 16;

// GLYPHS[c][y] is row y (top first) of the glyph for byte c; bit 7 is its leftmost pixel.
extern const std::uint8_t GLYPHS[GLYPH_COUNT][GLYPH_HEIGHT];

}  // namespace font
