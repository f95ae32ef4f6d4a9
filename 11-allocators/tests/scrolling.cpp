// Prints 30 numbered lines: the first six scroll off the top, "line 29" ends in row 23, and the
// text after the last newline starts row 24 afresh.

#include <boot/boot.h>

#include "cpu.h"
#include "framebuffer.h"
#include "panic.h"
#include "vga_buffer.h"

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    framebuffer::init(multiboot_info_phys);
    vga::WRITER.lock()->clear_screen();
    for (int i = 0; i < 30; ++i) println("line {}", i);
    print("tail");
    cpu::halt_forever();
}

[[noreturn]] void panic_handler(const PanicInfo& info) { show_panic_and_halt(info); }
