// Integration test: all of RAM is reachable, also above 4 GiB. Booted with more memory than fits
// below the PCI hole (QEMU's -m 6G puts 3 GiB below 4 GiB and the rest from 4 GiB up, to
// 0x1c0000000), the offset map must reach the end of RAM, and a frame the frame allocator hands
// out above 4 GiB must be usable: mapped at a new page, what is written through one mapping reads
// back through the other.

#include <boot/boot.h>

#include "framebuffer.h"
#include "kernel.h"
#include "memory.h"
#include "serial.h"
#include "test_framework.h"

#include <cstdint>

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    framebuffer::init(multiboot_info_phys);
    kernel::init();
    memory::init(memory::PhysAddr(multiboot_info_phys));
    run_tests();
}

[[noreturn]] void panic_handler(const PanicInfo& info) { test_panic_handler(info); }

namespace {

constexpr std::uint64_t FOUR_GIB = 4ull << 30;

// The end of the highest usable region of the memory map.
std::uint64_t end_of_ram() {
    std::uint64_t end = 0;
    for (const auto& region : memory::boot_information().memory_regions())
        if (region.kind == boot_info::MemoryRegionKind::Usable && region.range.end.as_u64() > end)
            end = region.range.end.as_u64();
    return end;
}

}  // namespace

// The test needs RAM above 4 GiB; booted with less, it says so instead of passing quietly.
KERNEL_TEST(memory_above_4gib_is_mapped) {
    const std::uint64_t end = end_of_ram();
    const auto last =
        memory::mapper()->translate(memory::VirtAddr(boot::PHYSICAL_MEMORY_OFFSET + end - 8));
    ASSERT_TRUE(last.has_value());
    serial_println("end of RAM {:#x}, offset map ends at {:#x} in {:#x}-byte pages", end,
                   boot::physical_memory_mapped(), last->page_size);
    ASSERT_TRUE(end > FOUR_GIB);
    ASSERT_TRUE(boot::physical_memory_mapped() >= end);
    ASSERT_EQ(last->address.as_u64(), end - 8);
}

KERNEL_TEST(frame_above_4gib_maps_and_holds_data) {
    auto frames = memory::frame_allocator();
    std::optional<memory::PhysFrame<>> frame;
    do frame = frames->allocate_frame();
    while (frame && frame->start_address().as_u64() < FOUR_GIB);
    ASSERT_TRUE(frame.has_value());
    serial_println("frame at {:#x} after {} frames", frame->start_address().as_u64(),
                   frames->allocated());

    const auto page = memory::Page<>::containing_address(memory::VirtAddr(0x6666'0000'0000));
    auto mapped = memory::mapper()->map_to(page, *frame, memory::PageTableFlags::WRITABLE, *frames);
    ASSERT_TRUE(mapped.is_ok());
    mapped.value().flush();

    auto* through_page = page.start_address().as_ptr<volatile std::uint64_t>();
    auto* through_offset =
        memory::phys_to_virt(frame->start_address(), memory::VirtAddr(boot::PHYSICAL_MEMORY_OFFSET))
            .as_ptr<volatile std::uint64_t>();
    through_page[0] = 0x0123'4567'89ab'cdef;
    ASSERT_EQ(through_offset[0], 0x0123'4567'89ab'cdefu);
    through_offset[511] = 0xfeed'f00d;
    ASSERT_EQ(through_page[511], 0xfeed'f00du);
}
