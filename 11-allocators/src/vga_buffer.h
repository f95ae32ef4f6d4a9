// The VGA text buffer: an 80x25 grid of cells at physical address 0xb8000, each a character
// byte (code page 437) and an attribute byte (background colour << 4 | foreground colour).
// The Writer prints into the last row and scrolls the screen up on a newline, as a terminal does.
#pragma once

#include "format.h"
#include "spinlock.h"

#include <cstddef>
#include <cstdint>

namespace vga {

enum class Color : std::uint8_t {
    Black = 0,
    Blue = 1,
    Green = 2,
    Cyan = 3,
    Red = 4,
    Magenta = 5,
    Brown = 6,
    LightGray = 7,
    DarkGray = 8,
    LightBlue = 9,
    LightGreen = 10,
    LightCyan = 11,
    LightRed = 12,
    Pink = 13,
    Yellow = 14,
    White = 15,
};

// The attribute byte of a cell.
class ColorCode {
public:
    constexpr ColorCode(Color foreground, Color background)
        : raw_(static_cast<std::uint8_t>(static_cast<std::uint8_t>(background) << 4 |
                                         static_cast<std::uint8_t>(foreground))) {}
    constexpr std::uint8_t raw() const { return raw_; }
    constexpr bool operator==(const ColorCode&) const = default;

private:
    std::uint8_t raw_;
};

static_assert(ColorCode(Color::Yellow, Color::Black).raw() == 0x0e);
static_assert(ColorCode(Color::Black, Color::White).raw() == 0xf0);
static_assert(sizeof(ColorCode) == 1);

// One cell as the hardware sees it: character in the low byte, attribute in the high byte.
constexpr std::uint16_t screen_char(std::uint8_t character, ColorCode color) {
    return static_cast<std::uint16_t>(color.raw() << 8 | character);
}
static_assert(screen_char('A', ColorCode(Color::LightCyan, Color::Black)) == 0x0b41);

inline constexpr std::size_t BUFFER_HEIGHT = 25;
inline constexpr std::size_t BUFFER_WIDTH = 80;
inline constexpr std::uintptr_t BUFFER_ADDRESS = 0xb8000;

// Printed in place of bytes the text mode would show as something other than ASCII.
inline constexpr std::uint8_t REPLACEMENT_CHARACTER = 0xfe;  // ■ in code page 437

class Writer final : public fmt::Sink {
public:
    // `buffer` is the address of BUFFER_HEIGHT * BUFFER_WIDTH cells: the VGA buffer in the
    // kernel, an array in host tests. Kept as an integer so a Writer can be constant-initialised.
    constexpr Writer(std::uintptr_t buffer, ColorCode color) : buffer_(buffer), color_(color) {}

    void write_byte(std::uint8_t byte);
    // Printable ASCII and '\n' are written as they are; every other byte as REPLACEMENT_CHARACTER.
    void write(const char* text, std::size_t length) override;
    void clear_screen();

    ColorCode color() const { return color_; }
    void set_color(ColorCode color) { color_ = color; }
    std::size_t column() const { return column_; }

private:
    void new_line();
    void clear_row(std::size_t row);
    volatile std::uint16_t& cell(std::size_t row, std::size_t column) const;

    std::uintptr_t buffer_;
    std::size_t column_ = 0;
    ColorCode color_;
};

// The writer every print goes through.
extern constinit Spinlock<Writer> WRITER;

// Formats into the global writer (used by print and println).
void print_args(const char* format, const fmt::Arg* args, std::size_t count, bool newline);

}  // namespace vga

template <typename... Args>
void print(fmt::FormatString<Args...> format, const Args&... args) {
    fmt::print_with(vga::print_args, false, format, args...);
}

template <typename... Args>
void println(fmt::FormatString<Args...> format, const Args&... args) {
    fmt::print_with(vga::print_args, true, format, args...);
}
