// Stage 09: paging, implemented. The kernel reads the memory map from the boot information,
// walks and changes its own page tables through the offset mapping, and maps a new page onto
// the VGA buffer's frame to write "New!" through it. Built with UNIT_TESTS defined (the
// unit_tests kernel) it runs the in-kernel tests instead and reports them over serial.

#include <boot/boot.h>

#include "cpu.h"
#include "framebuffer.h"
#include "kernel.h"
#include "memory.h"
#include "panic.h"
#include "vga_buffer.h"

#include <cstdint>

#if defined(UNIT_TESTS)
#include "test_framework.h"
#endif

#if !defined(UNIT_TESTS)
namespace {

void show_translation(std::uint64_t address) {
    const auto translated = memory::mapper()->translate_addr(memory::VirtAddr(address));
    if (translated) println("{:#x} -> {:#x}", address, translated->as_u64());
    else println("{:#x} -> not mapped", address);
}

}  // namespace
#endif

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    // Under UEFI there is no VGA text mode: the writer draws on GRUB's framebuffer instead.
    framebuffer::init(multiboot_info_phys);
    kernel::init();
    memory::init(memory::PhysAddr(multiboot_info_phys));
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
    println("Level 4 page table at: {:#x}", cpu::read_cr3().level_4_table().as_u64());
    println("Usable memory: {} KiB", memory::boot_information().usable_bytes() / 1024);

    // Where some addresses lead: the VGA buffer and the kernel's code (identity-mapped), the
    // start of the offset mapping (physical 0), and a page nobody mapped.
    show_translation(0xb8000);
    show_translation(reinterpret_cast<std::uint64_t>(&kernel_main));
    show_translation(boot::PHYSICAL_MEMORY_OFFSET);
    show_translation(0xdeadbeaf000);

    println("It did not crash!");

    // Map the page at 0xdeadbeaf000 to the VGA buffer's frame and write "New!" through it, black
    // on white, at cell 1600: row 20, column 0. The first println after this scrolls it up.
    const auto page = memory::Page<>::containing_address(memory::VirtAddr(0xdeadbeaf000));
    const auto vga_frame = memory::PhysFrame<>::from_start_address(memory::PhysAddr(0xb8000));
    auto mapped = memory::mapper()->map_to(
        page, vga_frame, memory::PageTableFlags::WRITABLE | memory::PageTableFlags::NO_EXECUTE,
        *memory::frame_allocator());
    if (mapped.is_err())
        panic("mapping the example page failed: {}", memory::describe(mapped.error()));
    mapped.value().flush();
    page.start_address().as_ptr<volatile std::uint64_t>()[400] = 0xf021'f077'f065'f04e;

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
    ASSERT_EQ(cpu::read_cr3().level_4_table().as_u64(), reinterpret_cast<std::uint64_t>(boot_pml4));
}
#else
[[noreturn]] void panic_handler(const PanicInfo& info) { show_panic_and_halt(info); }
#endif
