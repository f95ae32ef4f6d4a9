#include "framebuffer.h"

#include <boot/boot.h>
#include <font/vga_font.h>

namespace framebuffer {

namespace {

// Multiboot2 specification, 3.6: the information starts with total_size and a reserved word;
// tags follow, 8-byte aligned, each starting with its type and size; type 0 ends them.
constexpr std::uint32_t TAG_END = 0;
constexpr std::uint32_t TAG_FRAMEBUFFER = 8;
constexpr std::size_t FRAMEBUFFER_TAG_SIZE = 38;  // up to the blue field's size

std::uint32_t read_u32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

std::uint64_t read_u64(const std::uint8_t* p) {
    return read_u32(p) | static_cast<std::uint64_t>(read_u32(p + 4)) << 32;
}

constinit Console console;

}  // namespace

std::optional<Info> find(const std::uint8_t* boot_info, std::size_t size_limit) {
    if (size_limit < 8) return std::nullopt;
    const std::size_t total = read_u32(boot_info);
    if (total < 8 || total > size_limit) return std::nullopt;
    std::size_t offset = 8;
    while (offset + 8 <= total) {
        const std::uint8_t* tag = boot_info + offset;
        const std::uint32_t type = read_u32(tag);
        const std::uint32_t size = read_u32(tag + 4);
        if (type == TAG_END || size < 8 || size > total - offset) return std::nullopt;
        if (type == TAG_FRAMEBUFFER) {
            if (size < FRAMEBUFFER_TAG_SIZE || tag[29] != TYPE_RGB) return std::nullopt;
            // Offsets in the tag: address 8, pitch 16, width 20, height 24, bits per pixel
            // 28, type 29, then for RGB each colour's field position and mask size from 32.
            Info info{};
            info.address = read_u64(tag + 8);
            info.pitch = read_u32(tag + 16);
            info.width = read_u32(tag + 20);
            info.height = read_u32(tag + 24);
            info.bits_per_pixel = tag[28];
            info.red_position = tag[32];
            info.red_size = tag[33];
            info.green_position = tag[34];
            info.green_size = tag[35];
            info.blue_position = tag[36];
            info.blue_size = tag[37];
            const bool drawable =
                info.bits_per_pixel == 16 || info.bits_per_pixel == 24 || info.bits_per_pixel == 32;
            if (!drawable || info.width < GRID_WIDTH || info.height < GRID_HEIGHT ||
                info.pitch < info.width * (info.bits_per_pixel / 8))
                return std::nullopt;
            return info;
        }
        offset += (size + 7) & ~std::size_t{7};
    }
    return std::nullopt;
}

void Console::init(const Info& info, std::uintptr_t pixels) {
    pixels_ = pixels;
    pitch_ = info.pitch;
    bytes_per_pixel_ = info.bits_per_pixel / 8;
    for (std::size_t i = 0; i < PALETTE.size(); ++i) colors_[i] = pixel_value(PALETTE[i], info);
}

void Console::show(std::size_t row, std::size_t column, std::uint16_t cell) {
    const auto& glyph = font::GLYPHS[cell & 0xff];
    // Foreground in the attribute's low four bits, background in the high four: all 16 colours,
    // as QEMU's VGA shows text mode (bit 7 makes the background bright rather than blink).
    const std::uint32_t foreground = colors_[(cell >> 8) & 0xf];
    const std::uint32_t background = colors_[(cell >> 12) & 0xf];
    const std::uintptr_t top_left =
        pixels_ + row * font::GLYPH_HEIGHT * pitch_ + column * font::GLYPH_WIDTH * bytes_per_pixel_;
    for (std::size_t y = 0; y < font::GLYPH_HEIGHT; ++y) {
        const std::uintptr_t line = top_left + y * pitch_;
        for (std::size_t x = 0; x < font::GLYPH_WIDTH; ++x) {
            const std::uint32_t color = (glyph[y] & (0x80 >> x)) ? foreground : background;
            const std::uintptr_t pixel = line + x * bytes_per_pixel_;
            // The framebuffer is memory-mapped I/O: volatile, as the VGA buffer's cells are.
            if (bytes_per_pixel_ == 4) {
                *reinterpret_cast<volatile std::uint32_t*>(pixel) = color;
            } else {
                for (std::uint32_t b = 0; b < bytes_per_pixel_; ++b)
                    reinterpret_cast<volatile std::uint8_t*>(pixel)[b] =
                        static_cast<std::uint8_t>(color >> (8 * b));
            }
        }
    }
}

void init(std::uint64_t multiboot_info_phys) {
    // The boot information and the framebuffer are reached through the boot shim's offset map,
    // which covers at least the first 4 GiB of physical memory.
    const std::uint64_t mapped = boot::physical_memory_mapped();
    if (multiboot_info_phys == 0 || multiboot_info_phys >= mapped) return;
    const auto* boot_info =
        reinterpret_cast<const std::uint8_t*>(boot::PHYSICAL_MEMORY_OFFSET + multiboot_info_phys);
    const auto info = find(boot_info, mapped - multiboot_info_phys);
    if (!info) return;
    const std::uint64_t size = static_cast<std::uint64_t>(info->pitch) * info->height;
    if (info->address >= mapped || size > mapped - info->address) return;
    console.init(*info, boot::PHYSICAL_MEMORY_OFFSET + info->address);
    vga::use_display(console.cells(), console);
}

}  // namespace framebuffer
