#include "memory.h"

#include <boot/boot.h>

#include "cpu.h"
#include "panic.h"

#include <optional>

namespace memory {

namespace {

constinit std::optional<boot_info::BootInfo> boot_info_storage;
constinit Spinlock<std::optional<OffsetPageTable>> mapper_storage{std::in_place};
constinit Spinlock<std::optional<BootInfoFrameAllocator>> frame_allocator_storage{std::in_place};

}  // namespace

PageTable* active_level_4_table(VirtAddr physical_memory_offset) {
    const PhysAddr level_4 = cpu::read_cr3().level_4_table();
    return phys_to_virt(level_4, physical_memory_offset).as_ptr<PageTable>();
}

void init(PhysAddr info_phys) {
    const VirtAddr offset(boot::PHYSICAL_MEMORY_OFFSET);
    // The kernel runs identity-mapped, so its linker symbols are physical addresses too.
    const boot_info::PhysRange kernel{PhysAddr(reinterpret_cast<std::uint64_t>(__kernel_start)),
                                      PhysAddr(reinterpret_cast<std::uint64_t>(__kernel_end))};
    auto parsed = boot_info::BootInfo::parse(
        phys_to_virt(info_phys, offset).as_ptr<const std::uint8_t>(), info_phys, offset, kernel);
    if (parsed.is_err())
        panic("cannot read the boot information: {}", boot_info::describe(parsed.error()));
    boot_info_storage = parsed.value();
    // Bit 63 (no-execute) goes into new entries only where the shim turned it on.
    const bool no_execute = (cpu::read_efer() & cpu::EFER_NXE) != 0;
    mapper_storage.lock()->emplace(
        active_level_4_table(offset), offset,
        no_execute ? PageTableFlags::ALL : PageTableFlags::ALL & ~PageTableFlags::NO_EXECUTE);
    frame_allocator_storage.lock()->emplace(*boot_info_storage,
                                            PhysAddr(boot::physical_memory_mapped()));
}

const boot_info::BootInfo& boot_information() {
    if (!boot_info_storage) panic("memory::init has not run");
    return *boot_info_storage;
}
Locked<OffsetPageTable> mapper() {
    auto guard = mapper_storage.lock();
    if (!*guard) panic("memory::init has not run");
    return Locked<OffsetPageTable>(std::move(guard));
}
Locked<BootInfoFrameAllocator> frame_allocator() {
    auto guard = frame_allocator_storage.lock();
    if (!*guard) panic("memory::init has not run");
    return Locked<BootInfoFrameAllocator>(std::move(guard));
}

}  // namespace memory

#if defined(UNIT_TESTS)
#include "test_framework.h"
#include "vga_buffer.h"

namespace memory {

namespace {

std::uint64_t translated(std::uint64_t virt) {
    const auto t = mapper()->translate_addr(VirtAddr(virt));
    return t ? t->as_u64() : ~0ull;
}

}  // namespace

// The identity-mapped low memory: the VGA buffer is where it is.
KERNEL_TEST(test_translate_vga_buffer) { ASSERT_EQ(translated(0xb8000), 0xb8000u); }

// Kernel code, identity-mapped in 4 KiB pages, read-only and executable.
KERNEL_TEST(test_translate_kernel_code) {
    const auto code = reinterpret_cast<std::uint64_t>(&kernel_main);
    const auto t = mapper()->translate(VirtAddr(code));
    ASSERT_TRUE(t.has_value());
    ASSERT_EQ(t->address.as_u64(), code);
    ASSERT_EQ(t->page_size, Size4KiB::SIZE);
    ASSERT_TRUE(!t->flags.contains(PageTableFlags::WRITABLE));
    ASSERT_TRUE(!t->flags.contains(PageTableFlags::NO_EXECUTE));
}

// The offset mapping is made of huge pages: 1 GiB ones where CPUID leaf 0x80000001 reports them
// (EDX bit 26), so the walk stops at level 3, else 2 MiB ones (level 2). It reaches exactly to
// boot::physical_memory_mapped(), at least 4 GiB.
KERNEL_TEST(test_translate_offset_mapping) {
    std::uint32_t eax = 0x8000'0001, ebx, ecx = 0, edx;
    asm("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
    const bool gib_pages = (edx >> 26 & 1) != 0;
    const auto t = mapper()->translate(VirtAddr(boot::PHYSICAL_MEMORY_OFFSET + 0x12'3456));
    ASSERT_TRUE(t.has_value());
    ASSERT_EQ(t->address.as_u64(), 0x12'3456u);
    ASSERT_EQ(t->page_size, gib_pages ? Size1GiB::SIZE : Size2MiB::SIZE);

    const std::uint64_t end = boot::physical_memory_mapped();
    ASSERT_TRUE(end >= boot::PHYSICAL_MEMORY_MAPPED_MIN);
    ASSERT_EQ(translated(boot::PHYSICAL_MEMORY_OFFSET + end - 8), end - 8);
    ASSERT_EQ(translated(boot::PHYSICAL_MEMORY_OFFSET + end), ~0ull);
}

KERNEL_TEST(test_translate_unmapped) {
    ASSERT_TRUE(!mapper()->translate_addr(VirtAddr(0xdead'beaf'000)).has_value());
    ASSERT_TRUE(
        !mapper()->translate_addr(VirtAddr(0)).has_value());  // the null page is left unmapped
}

// A new page backed by a fresh frame: what is written through the page is read through the
// frame's offset-mapped address, and the other way round.
KERNEL_TEST(test_map_new_page) {
    const auto page = Page<>::containing_address(VirtAddr(0x5555'0000'0000));
    const auto frame = frame_allocator()->allocate_frame();
    ASSERT_TRUE(frame.has_value());
    auto mapped = mapper()->map_to(
        page, *frame, PageTableFlags::WRITABLE | PageTableFlags::NO_EXECUTE, *frame_allocator());
    ASSERT_TRUE(mapped.is_ok());
    mapped.value().flush();
    ASSERT_EQ(translated(page.start_address().as_u64() + 8), frame->start_address().as_u64() + 8);
    // No-execute only where the CPU has it turned on; elsewhere bit 63 is reserved.
    const bool nxe = (cpu::read_efer() & cpu::EFER_NXE) != 0;
    ASSERT_EQ(mapper()->translate(page.start_address())->flags.contains(PageTableFlags::NO_EXECUTE),
              nxe);

    auto* through_page = page.start_address().as_ptr<volatile std::uint64_t>();
    auto* through_frame = phys_to_virt(frame->start_address(), mapper()->physical_memory_offset())
                              .as_ptr<volatile std::uint64_t>();
    through_page[1] = 0x1122'3344'5566'7788;
    ASSERT_EQ(through_frame[1], 0x1122'3344'5566'7788u);
    through_frame[2] = 42;
    ASSERT_EQ(through_page[2], 42u);

    auto unmapped = mapper()->unmap(page);
    ASSERT_TRUE(unmapped.is_ok());
    ASSERT_TRUE(unmapped.value().frame == *frame);
    unmapped.value().flush.flush();
    ASSERT_TRUE(!mapper()->translate_addr(page.start_address()).has_value());
}

// Mapping over an existing mapping is refused with an error value, and changes nothing.
KERNEL_TEST(test_map_over_existing_mapping_fails) {
    const auto page = Page<>::containing_address(VirtAddr(0xb8000));
    const auto frame = PhysFrame<>::from_start_address(PhysAddr(0x20'0000));
    const auto result = mapper()->map_to(page, frame, PageTableFlags::WRITABLE, *frame_allocator());
    ASSERT_TRUE(result.is_err());
    ASSERT_EQ(result.error(), MapToError::PageAlreadyMapped);
    ASSERT_EQ(translated(0xb8000), 0xb8000u);
    // Inside a 2 MiB page of the offset mapping, a 4 KiB mapping cannot be made either.
    const auto in_huge =
        Page<>::containing_address(VirtAddr(boot::PHYSICAL_MEMORY_OFFSET + 0x40'0000));
    const auto huge_result =
        mapper()->map_to(in_huge, frame, PageTableFlags::WRITABLE, *frame_allocator());
    ASSERT_TRUE(huge_result.is_err());
    ASSERT_EQ(huge_result.error(), MapToError::ParentEntryHugePage);
}

// Frames are aligned, outside every reserved range, inside usable memory, and never repeated.
KERNEL_TEST(test_frame_allocator_frames) {
    constexpr std::size_t COUNT = 256;
    std::optional<PhysFrame<>> previous;
    const auto& info = boot_information();
    for (std::size_t i = 0; i < COUNT; ++i) {
        const auto frame = frame_allocator()->allocate_frame();
        ASSERT_TRUE(frame.has_value());
        const PhysAddr start = frame->start_address();
        ASSERT_TRUE(start.is_aligned(PAGE_SIZE));
        ASSERT_TRUE(!frame_allocator()->is_reserved(*frame));
        ASSERT_TRUE(start >= BootInfoFrameAllocator::LOW_MEMORY_END);
        ASSERT_TRUE(!info.kernel().contains(start));
        ASSERT_TRUE(!info.boot_info().overlaps({start, start + PAGE_SIZE}));
        bool usable = false;
        for (const auto& region : info.memory_regions())
            usable =
                usable || (region.kind == boot_info::MemoryRegionKind::Usable &&
                           region.range.contains(start) && start + PAGE_SIZE <= region.range.end);
        ASSERT_TRUE(usable);
        // Frames only move forward, so "never twice" is "strictly increasing".
        if (previous) ASSERT_TRUE(*previous < *frame);
        previous = frame;
    }
}

}  // namespace memory
#endif
