// Stage 05: CPU exceptions. The kernel loads an IDT whose breakpoint handler prints the
// interrupt stack frame and returns; built with UNIT_TESTS defined (the unit_tests kernel) it
// runs the in-kernel tests instead and reports them over serial.

#include <boot/boot.h>

#include "cpu.h"
#include "framebuffer.h"
#include "kernel.h"
#include "panic.h"
#include "vga_buffer.h"

#include <cstdint>

#if defined(UNIT_TESTS)
#include "test_framework.h"
#endif

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    // Under UEFI there is no VGA text mode: the writer draws on GRUB's framebuffer instead.
    framebuffer::init(multiboot_info_phys);
    kernel::init();
#if defined(UNIT_TESTS)
    run_tests();
#else
    // GRUB leaves its last messages on the screen.
    vga::WRITER.lock()->clear_screen();

    println("Hello World{}", '!');
    println("The answer is {} ({:#x} in hexadecimal)", 42, 42);

    // A breakpoint exception: the handler prints the frame and execution continues here.
    asm volatile("int3");

    println("It did not crash!");

    cpu::halt_forever();
#endif
}

#if defined(UNIT_TESTS)
[[noreturn]] void panic_handler(const PanicInfo& info) { test_panic_handler(info); }

KERNEL_TEST(trivial_assertion) { ASSERT_EQ(1, 1); }
#else
[[noreturn]] void panic_handler(const PanicInfo& info) { show_panic_and_halt(info); }
#endif
