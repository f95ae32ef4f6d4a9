// The framebuffer console: the VGA writer's second backend. A machine booted through UEFI has no
// VGA text mode; GRUB sets up a linear framebuffer instead (asked for by the boot shim's
// multiboot2 header) and describes it in the boot information. The console keeps the writer's
// 80x25 cells in memory and draws each one as an 8x16 glyph of the VGA font, in the VGA's 16
// colours, so the screen looks as it does in text mode. Under BIOS, GRUB reports VGA text mode
// and the writer keeps using the VGA buffer.
#pragma once

#include "vga_buffer.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace framebuffer {

// A direct-colour framebuffer as the multiboot2 framebuffer tag (type 8) describes it
// (multiboot2 specification, 3.6.12 "Framebuffer info").
struct Info {
    std::uint64_t address;  // physical
    std::uint32_t pitch;    // bytes from one pixel row to the next
    std::uint32_t width;    // pixels
    std::uint32_t height;
    std::uint8_t bits_per_pixel;
    std::uint8_t red_position;  // bit position and size of each colour field in a pixel
    std::uint8_t red_size;
    std::uint8_t green_position;
    std::uint8_t green_size;
    std::uint8_t blue_position;
    std::uint8_t blue_size;
};

// The framebuffer tag's types: indexed colour, direct colour (RGB), EGA text.
inline constexpr std::uint8_t TYPE_INDEXED = 0;
inline constexpr std::uint8_t TYPE_RGB = 1;
inline constexpr std::uint8_t TYPE_EGA_TEXT = 2;

// The cell grid in pixels: 640 x 400.
inline constexpr std::uint32_t GRID_WIDTH = vga::BUFFER_WIDTH * 8;
inline constexpr std::uint32_t GRID_HEIGHT = vga::BUFFER_HEIGHT * 16;

struct Rgb {
    std::uint8_t red, green, blue;
};

// The VGA's 16 colours as its default palette sets them (vga::Color numbers them).
inline constexpr std::array<Rgb, 16> PALETTE{{
    {0x00, 0x00, 0x00},  // Black
    {0x00, 0x00, 0xaa},  // Blue
    {0x00, 0xaa, 0x00},  // Green
    {0x00, 0xaa, 0xaa},  // Cyan
    {0xaa, 0x00, 0x00},  // Red
    {0xaa, 0x00, 0xaa},  // Magenta
    {0xaa, 0x55, 0x00},  // Brown
    {0xaa, 0xaa, 0xaa},  // LightGray
    {0x55, 0x55, 0x55},  // DarkGray
    {0x55, 0x55, 0xff},  // LightBlue
    {0x55, 0xff, 0x55},  // LightGreen
    {0x55, 0xff, 0xff},  // LightCyan
    {0xff, 0x55, 0x55},  // LightRed
    {0xff, 0x55, 0xff},  // Pink
    {0xff, 0xff, 0x55},  // Yellow
    {0xff, 0xff, 0xff},  // White
}};

// A colour as a pixel value of the framebuffer: each 8-bit component cut to its field's size
// (its top bits kept) and shifted to its field's position.
constexpr std::uint32_t pixel_value(Rgb color, const Info& info) {
    const auto field = [](std::uint8_t value, std::uint8_t position, std::uint8_t size) {
        return size >= 8 ? static_cast<std::uint32_t>(value) << position
                         : static_cast<std::uint32_t>(value >> (8 - size)) << position;
    };
    return field(color.red, info.red_position, info.red_size) |
           field(color.green, info.green_position, info.green_size) |
           field(color.blue, info.blue_position, info.blue_size);
}

// x8r8g8b8, what OVMF's framebuffer uses; and a 5-6-5 one with the fields cut to size.
static_assert(pixel_value(PALETTE[6], Info{0, 0, 0, 0, 32, 16, 8, 8, 8, 0, 8}) == 0xaa5500);
static_assert(pixel_value(PALETTE[14], Info{0, 0, 0, 0, 16, 11, 5, 5, 6, 0, 5}) == 0xffea);

// The direct-colour framebuffer in the multiboot2 boot information at `boot_info` (read through
// the pointer; `size_limit` bounds the bytes that may be read), or nothing when there is none:
// no framebuffer tag, a text-mode one (BIOS), indexed colour, a pixel size other than 16, 24
// or 32 bits, or one too small for the cell grid.
std::optional<Info> find(const std::uint8_t* boot_info, std::size_t size_limit);

// Draws the writer's cells on a framebuffer, from its top left corner.
class Console final : public vga::CellDisplay {
public:
    constexpr Console() = default;

    // `pixels` is where the framebuffer is mapped.
    void init(const Info& info, std::uintptr_t pixels);
    void show(std::size_t row, std::size_t column, std::uint16_t cell) override;

    // The cells, in ordinary memory: the writer keeps them here.
    std::uintptr_t cells() { return reinterpret_cast<std::uintptr_t>(cells_.data()); }

private:
    std::array<std::uint16_t, vga::BUFFER_HEIGHT * vga::BUFFER_WIDTH> cells_{};
    std::array<std::uint32_t, 16> colors_{};  // PALETTE as pixel values
    std::uintptr_t pixels_ = 0;
    std::uint32_t pitch_ = 0;
    std::uint32_t bytes_per_pixel_ = 0;
};

// Finds GRUB's framebuffer in the boot information and, when there is one the kernel can reach
// (inside the boot shim's offset map), moves the VGA writer onto a Console drawing on it.
// Precondition: called once, in kernel_main before anything is printed.
void init(std::uint64_t multiboot_info_phys);

}  // namespace framebuffer
