// Colours, bytes the text mode cannot show as ASCII, and a line that wraps.

#include <boot/boot.h>

#include "cpu.h"
#include "framebuffer.h"
#include "panic.h"
#include "vga_buffer.h"

using vga::Color;
using vga::ColorCode;

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    framebuffer::init(multiboot_info_phys);
    vga::WRITER.lock()->clear_screen();
    vga::WRITER.lock()->set_color(ColorCode(Color::Black, Color::White));
    println("black on white");
    vga::WRITER.lock()->set_color(ColorCode(Color::Yellow, Color::Blue));
    println("yellow on blue");
    vga::WRITER.lock()->set_color(ColorCode(Color::Yellow, Color::Black));
    // A control byte and the two UTF-8 bytes of 'ü' each become one replacement cell.
    println(
        "a\x01"
        "b\xc3\xbc"
        "c");
    // 80 columns fill the row; the next byte moves to a new line.
    println("{}{}wrapped", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    cpu::halt_forever();
}

[[noreturn]] void panic_handler(const PanicInfo& info) { show_panic_and_halt(info); }
