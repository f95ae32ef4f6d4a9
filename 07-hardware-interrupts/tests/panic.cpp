// A panic must show its message and where it was called, then stop the CPU.

#include <boot/boot.h>

#include "framebuffer.h"
#include "panic.h"
#include "vga_buffer.h"

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    framebuffer::init(multiboot_info_phys);
    vga::WRITER.lock()->clear_screen();
    println("about to panic");
    panic("something went wrong: {} is not {}", 42, 43);
}

[[noreturn]] void panic_handler(const PanicInfo& info) { show_panic_and_halt(info); }
