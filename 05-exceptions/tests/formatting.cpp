// One line per kind of value the formatter knows; the test reads the lines back from the screen.

#include <boot/boot.h>

#include "cpu.h"
#include "framebuffer.h"
#include "panic.h"
#include "vga_buffer.h"

#include <cstdint>
#include <limits>

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    framebuffer::init(multiboot_info_phys);
    vga::WRITER.lock()->clear_screen();
    println("decimal: {} {} {} {} {}|", 0, -1, 12345, std::numeric_limits<std::int64_t>::min(),
            std::numeric_limits<std::uint64_t>::max());
    println("hex: {:x} {:X} {:#x} {:#010x}|", 0xdeadbeefu, 0xdeadbeefu, 0xdeadbeefu, 0xffu);
    println("binary/octal: {:b} {:#b} {:o} {:#o}|", 5, 5, 15, 15);
    println("width: [{:5}] [{:<5}] [{:05}] [{:05}] [{:*>4}]|", 42, 42, 42, -42, 42);
    println("text: [{}] [{}] [{}] [{:5}] [{:>4}] {{braces}}|", 'x', true, false, "hi", "hi");
    println("pointer: {} {}|", reinterpret_cast<const void*>(vga::BUFFER_ADDRESS), nullptr);
    println("enum: {}|", vga::Color::Yellow);
    cpu::halt_forever();
}

[[noreturn]] void panic_handler(const PanicInfo& info) { show_panic_and_halt(info); }
