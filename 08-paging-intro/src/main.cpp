// Stage 08: paging, introduced. The kernel shows where its level 4 page table is (CR3), and a
// page fault is reported with the address that faulted (CR2) and what kind of access it was.
// Built with UNIT_TESTS defined (the unit_tests kernel) it runs the in-kernel tests instead and
// reports them over serial.

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

    // The page tables the boot shim built: CR3 holds the physical address of the top one.
    println("Level 4 page table at: {:#x}", cpu::read_cr3().level_4_table());

    println("It did not crash!");

    cpu::hlt_loop();
#endif
}

#if defined(UNIT_TESTS)
[[noreturn]] void panic_handler(const PanicInfo& info) { test_panic_handler(info); }

KERNEL_TEST(trivial_assertion) { ASSERT_EQ(1, 1); }

extern "C" const char boot_pml4[];  // common/boot/boot.S

// CR3 points at the level 4 table the boot shim built (identity-mapped, so its virtual address
// is its physical one).
KERNEL_TEST(test_cr3_is_boot_pml4) {
    ASSERT_EQ(cpu::read_cr3().level_4_table(), reinterpret_cast<std::uint64_t>(boot_pml4));
}
#else
[[noreturn]] void panic_handler(const PanicInfo& info) { show_panic_and_halt(info); }
#endif
