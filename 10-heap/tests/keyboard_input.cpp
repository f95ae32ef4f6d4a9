// Integration test kernel: the stage's interrupt handlers with the timer line masked, so the
// screen holds only what is typed. The harness types keys into QEMU (monitor sendkey) once
// "ready" appears and checks that they arrive decoded, in order, on serial and on screen.

#include <boot/boot.h>

#include "cpu.h"
#include "framebuffer.h"
#include "kernel.h"
#include "panic.h"
#include "pic.h"
#include "serial.h"
#include "vga_buffer.h"

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    framebuffer::init(multiboot_info_phys);
    kernel::init();
    pic::PICS.lock()->set_masked(0, true);  // no timer dots
    vga::WRITER.lock()->clear_screen();
    serial_println("ready");
    cpu::hlt_loop();
}

[[noreturn]] void panic_handler(const PanicInfo& info) { show_panic_and_halt(info); }
