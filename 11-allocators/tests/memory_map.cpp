// Integration test: the frame allocator respects the firmware's memory map, whatever firmware
// wrote it. SeaBIOS and OVMF (UEFI) report very different maps: OVMF's has many more regions,
// firmware-owned and ACPI ones among them, scattered through low RAM. The kernel prints the map
// and the ranges it must keep, then takes every frame the allocator hands out, checks each one
// and prints them as runs of consecutive frames; common/harness/check_frames.py checks the runs
// against the printed map again, outside the kernel.

#include <boot/boot.h>

#include "kernel.h"
#include "memory.h"
#include "serial.h"
#include "test_framework.h"

#include <cstdint>

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    kernel::init();
    memory::init(memory::PhysAddr(multiboot_info_phys));
    run_tests();
}

[[noreturn]] void panic_handler(const PanicInfo& info) { test_panic_handler(info); }

namespace {

// Whether [start, start + 4 KiB) lies inside one usable region and overlaps no other region.
bool in_usable_memory(std::uint64_t start) {
    const boot_info::PhysRange frame{memory::PhysAddr(start), memory::PhysAddr(start + 4096)};
    bool inside = false;
    for (const auto& region : memory::boot_information().memory_regions()) {
        if (!region.range.overlaps(frame)) continue;
        if (region.kind != boot_info::MemoryRegionKind::Usable) return false;
        inside = inside || (region.range.start <= frame.start && frame.end <= region.range.end);
    }
    return inside;
}

void print_run(std::uint64_t start, std::uint64_t end) {
    serial_println("memory_map: frames {:#x}-{:#x}", start, end);
}

}  // namespace

KERNEL_TEST(allocated_frames_lie_in_usable_memory) {
    const auto& info = memory::boot_information();
    for (const auto& region : info.memory_regions())
        serial_println("memory_map: region {:#x}-{:#x} {}", region.range.start.as_u64(),
                       region.range.end.as_u64(), region.kind);
    serial_println("memory_map: kernel {:#x}-{:#x}", info.kernel().start.as_u64(),
                   info.kernel().end.as_u64());
    serial_println("memory_map: boot_info {:#x}-{:#x}", info.boot_info().start.as_u64(),
                   info.boot_info().end.as_u64());

    auto frames = memory::frame_allocator();
    const std::size_t before = frames->allocated();
    std::uint64_t previous_end = 0, run_start = 0, run_end = 0;
    std::size_t count = 0;
    while (const auto frame = frames->allocate_frame()) {
        const std::uint64_t start = frame->start_address().as_u64();
        ASSERT_TRUE(start >= previous_end);  // in address order, never the same frame twice
        ASSERT_TRUE(in_usable_memory(start));
        ASSERT_TRUE(!frames->is_reserved(*frame));
        // Real RAM: what is written through the offset mapping reads back.
        auto* word = memory::phys_to_virt(frame->start_address(), info.physical_memory_offset())
                         .as_ptr<volatile std::uint64_t>();
        *word = start ^ 0x5a5a'5a5a'5a5a'5a5a;
        ASSERT_EQ(*word, start ^ 0x5a5a'5a5a'5a5a'5a5a);
        if (start != run_end) {
            if (run_end != run_start) print_run(run_start, run_end);
            run_start = start;
        }
        run_end = previous_end = start + 4096;
        ++count;
    }
    if (run_end != run_start) print_run(run_start, run_end);
    serial_println("memory_map: allocated {} frames here, {} before the test", count, before);
    ASSERT_TRUE(count > 0);
    ASSERT_EQ(frames->allocated(), before + count);
}
