// The VGA text buffer: an 80x25 grid of cells at physical address 0xb8000, each a character
// byte (code page 437) and an attribute byte (background colour << 4 | foreground colour).
// The Writer prints into the last row and scrolls the screen up on a newline, as a terminal does.
// Under UEFI there is no text mode: the cells are kept in memory instead and a CellDisplay, the
// framebuffer console (framebuffer.h), draws each one the Writer changes.
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

// Shows cells somewhere the hardware does not show them by itself.
class CellDisplay {
public:
    // Called after the cell at (row, column) changed to `cell`.
    virtual void show(std::size_t row, std::size_t column, std::uint16_t cell) = 0;

protected:
    ~CellDisplay() = default;
};

// Where the cells are: the buffer's address, and the display that shows them (none for the VGA
// buffer, which the VGA hardware shows).
struct Screen {
    std::uintptr_t buffer;
    CellDisplay* display;
};

// The screen every writer uses: the VGA buffer until use_display() replaces it.
Screen screen();
// Moves WRITER and later writers onto `buffer` (BUFFER_HEIGHT * BUFFER_WIDTH cells in ordinary
// memory), shown by `display`, and draws every cell once. Called once, before other printing.
void use_display(std::uintptr_t buffer, CellDisplay& display);

class Writer final : public fmt::Sink {
public:
    // `buffer` is the address of BUFFER_HEIGHT * BUFFER_WIDTH cells: the VGA buffer in the
    // kernel, an array in host tests. Kept as an integer so a Writer can be constant-initialised.
    constexpr Writer(std::uintptr_t buffer, ColorCode color, CellDisplay* display = nullptr)
        : buffer_(buffer), display_(display), color_(color) {}
    constexpr Writer(Screen screen, ColorCode color)
        : Writer(screen.buffer, color, screen.display) {}

    void write_byte(std::uint8_t byte);
    // Printable ASCII and '\n' are written as they are; every other byte as REPLACEMENT_CHARACTER.
    void write(const char* text, std::size_t length) override;
    void clear_screen();

    ColorCode color() const { return color_; }
    void set_color(ColorCode color) { color_ = color; }
    std::size_t column() const { return column_; }

    // Moves onto other cells (see use_display) and shows them all on `display`.
    void attach(Screen screen);

private:
    void new_line();
    void clear_row(std::size_t row);
    volatile std::uint16_t& cell(std::size_t row, std::size_t column) const;
    // Writes a cell and has the display draw it, unless it holds that value already.
    void set_cell(std::size_t row, std::size_t column, std::uint16_t value);

    std::uintptr_t buffer_;
    CellDisplay* display_;
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
