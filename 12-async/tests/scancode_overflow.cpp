// Integration test kernel: more keys than the scancode queue holds (100 scancodes), typed while
// no task reads them. The interrupt handler must drop the extra scancodes with a warning and
// nothing else: no crash, no hang. Then the executor starts and the keys that did fit are
// decoded and printed, in order: the kernel keeps working.
//
// The harness types 60 letters after "ready": 120 scancodes, a press and a release each.

#include <boot/boot.h>

#include "allocator.h"
#include "cpu.h"
#include "framebuffer.h"
#include "interrupts.h"
#include "kernel.h"
#include "memory.h"
#include "panic.h"
#include "serial.h"
#include "task/executor.h"
#include "task/scancode_stream.h"
#include "vga_buffer.h"

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    framebuffer::init(multiboot_info_phys);
    kernel::init();
    memory::init(memory::PhysAddr(multiboot_info_phys));
    allocator::init_kernel_heap();
    vga::WRITER.lock()->clear_screen();
    serial_println("ready");

    // Nothing reads the queue yet. Idle until it has overflowed, then a second longer so the
    // rest of the burst arrives (and is dropped) before anyone reads.
    while (task::scancode_queue().dropped() == 0) cpu::halt();
    const std::uint64_t overflowed_at = interrupts::timer_ticks();
    while (interrupts::timer_ticks() < overflowed_at + 20) cpu::halt();
    serial_println("\ndropped {} scancodes", task::scancode_queue().dropped());

    task::Executor executor;
    executor.spawn(task::print_keypresses());
    executor.run();
}

[[noreturn]] void panic_handler(const PanicInfo& info) { show_panic_and_halt(info); }
