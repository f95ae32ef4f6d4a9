// Integration test kernel: keys typed into QEMU travel from the keyboard interrupt through the
// scancode queue to the print_keypresses task, which decodes and prints them. The timer line is
// masked, so the screen holds only what is typed. The harness types keys once "ready" appears
// and checks that they arrive decoded, in order, on serial and on screen.

#include <boot/boot.h>

#include "allocator.h"
#include "framebuffer.h"
#include "kernel.h"
#include "memory.h"
#include "panic.h"
#include "pic.h"
#include "serial.h"
#include "task/executor.h"
#include "task/scancode_stream.h"
#include "vga_buffer.h"

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    framebuffer::init(multiboot_info_phys);
    kernel::init();
    memory::init(memory::PhysAddr(multiboot_info_phys));
    allocator::init_kernel_heap();
    pic::PICS.lock()->set_masked(0, true);  // no timer dots
    vga::WRITER.lock()->clear_screen();
    serial_println("ready");

    task::Executor executor;
    executor.spawn(task::print_keypresses());
    executor.run();
}

[[noreturn]] void panic_handler(const PanicInfo& info) { show_panic_and_halt(info); }
