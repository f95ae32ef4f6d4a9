// Stage 03: VGA text mode. Printing goes through a Writer that knows colours, newlines and
// scrolling, with type-safe formatting (print/println) and a panic that reports its message
// and source location.

#include <boot/boot.h>

#include "cpu.h"
#include "framebuffer.h"
#include "panic.h"
#include "vga_buffer.h"

#include <cstdint>

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    // Under UEFI there is no VGA text mode: the writer draws on GRUB's framebuffer instead.
    framebuffer::init(multiboot_info_phys);
    // GRUB leaves its last messages on the screen.
    vga::WRITER.lock()->clear_screen();

    println("Hello World{}", '!');
    println("The answer is {} ({:#x} in hexadecimal)", 42, 42);

    cpu::halt_forever();
}
