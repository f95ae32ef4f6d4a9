// Host tests of the page-table walker, the mapper, the boot information parser and the frame
// allocator. Physical memory is an aligned array: physical address p lives at array + p, which
// is exactly what the kernel's offset mapping looks like with offset = the array's address.

#include "boot_info.h"
#include "memory/frame_allocator.h"
#include "memory/mapper.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace {

using namespace memory;

constexpr std::size_t FRAMES = 64;

struct FakePhysicalMemory {
    std::uint8_t* base =
        static_cast<std::uint8_t*>(std::aligned_alloc(PAGE_SIZE, FRAMES* PAGE_SIZE));
    FakePhysicalMemory() { std::memset(base, 0, FRAMES * PAGE_SIZE); }
    ~FakePhysicalMemory() { std::free(base); }
    VirtAddr offset() const { return VirtAddr(reinterpret_cast<std::uint64_t>(base)); }
    PageTable* table(std::uint64_t phys) { return reinterpret_cast<PageTable*>(base + phys); }
};

// Frames 1, 2, 3, ... of the fake memory (frame 0 holds the level 4 table).
class SequentialFrames final : public FrameAllocator {
public:
    explicit SequentialFrames(std::size_t limit = FRAMES) : limit_(limit) {}
    std::optional<PhysFrame<>> allocate_frame() override {
        if (next_ >= limit_) return std::nullopt;
        return PhysFrame<>::from_start_address(PhysAddr(next_++ * PAGE_SIZE));
    }
    std::size_t used() const { return next_ - 1; }

private:
    std::size_t next_ = 1;
    std::size_t limit_;
};

class MapperTest : public ::testing::Test {
protected:
    FakePhysicalMemory memory;
    OffsetPageTable mapper{memory.table(0), memory.offset()};
    SequentialFrames frames;
};

constexpr PageTableFlags RW = PageTableFlags::WRITABLE;

TEST_F(MapperTest, EmptyTablesTranslateNothing) {
    EXPECT_FALSE(mapper.translate(VirtAddr(0x1000)).has_value());
    EXPECT_FALSE(mapper.translate(VirtAddr(0xffff'8000'0000'0000)).has_value());
}

TEST_F(MapperTest, MapCreatesThreeTablesThenTranslates) {
    const auto page = Page<>::containing_address(VirtAddr(0xdead'beaf'000));
    const auto frame = PhysFrame<>::from_start_address(PhysAddr(0x3f000));
    auto result = mapper.map_to(page, frame, RW, frames);
    ASSERT_TRUE(result.is_ok());
    result.value().ignore();
    EXPECT_EQ(frames.used(), 3u);  // level 3, 2 and 1 tables

    const auto t = mapper.translate(VirtAddr(0xdead'beaf'123));
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->address.as_u64(), 0x3f123u);
    EXPECT_EQ(t->page_size, Size4KiB::SIZE);
    EXPECT_TRUE(t->flags.contains(PageTableFlags::PRESENT | PageTableFlags::WRITABLE));

    // The walk went through the tables map_to created, at the indices of the address.
    const auto& l4e = (*memory.table(0))[VirtAddr(0xdead'beaf'000).p4_index()];
    EXPECT_EQ(l4e.address().as_u64(), 1 * PAGE_SIZE);
}

TEST_F(MapperTest, SecondPageInTheSameTableNeedsNoNewFrames) {
    mapper
        .map_to(Page<>::containing_address(VirtAddr(0x40'0000)),
                PhysFrame<>::from_start_address(PhysAddr(0x30000)), RW, frames)
        .value()
        .ignore();
    const std::size_t used = frames.used();
    mapper
        .map_to(Page<>::containing_address(VirtAddr(0x40'1000)),
                PhysFrame<>::from_start_address(PhysAddr(0x31000)), RW, frames)
        .value()
        .ignore();
    EXPECT_EQ(frames.used(), used);
    EXPECT_EQ(mapper.translate_addr(VirtAddr(0x40'1abc))->as_u64(), 0x31abcu);
}

TEST_F(MapperTest, MappingTwiceFails) {
    const auto page = Page<>::containing_address(VirtAddr(0x1000));
    mapper.map_to(page, PhysFrame<>::from_start_address(PhysAddr(0x30000)), RW, frames)
        .value()
        .ignore();
    const auto again =
        mapper.map_to(page, PhysFrame<>::from_start_address(PhysAddr(0x31000)), RW, frames);
    ASSERT_TRUE(again.is_err());
    EXPECT_EQ(again.error(), MapToError::PageAlreadyMapped);
    EXPECT_EQ(mapper.translate_addr(VirtAddr(0x1000))->as_u64(), 0x30000u);  // unchanged
}

TEST_F(MapperTest, RunningOutOfFramesIsAnError) {
    SequentialFrames two(3);  // frames 1 and 2 only: one table short
    const auto r = mapper.map_to(Page<>::containing_address(VirtAddr(0x1000)),
                                 PhysFrame<>::from_start_address(PhysAddr(0x30000)), RW, two);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), MapToError::FrameAllocationFailed);
}

TEST_F(MapperTest, TranslatesThroughTwoMiBAndOneGiBPages) {
    // Level 4 entry 0 -> level 3 table in frame 1; its entry 1 maps a 1 GiB page at 3 GiB, its
    // entry 0 leads to a level 2 table in frame 2 whose entry 5 maps a 2 MiB page at 64 MiB.
    (*memory.table(0))[PageTableIndex(0)].set(PhysAddr(1 * PAGE_SIZE),
                                              PageTableFlags::PRESENT | PageTableFlags::WRITABLE);
    (*memory.table(PAGE_SIZE))[PageTableIndex(1)].set(
        PhysAddr(3ull << 30), PageTableFlags::PRESENT | PageTableFlags::HUGE_PAGE);
    (*memory.table(PAGE_SIZE))[PageTableIndex(0)].set(
        PhysAddr(2 * PAGE_SIZE), PageTableFlags::PRESENT | PageTableFlags::WRITABLE);
    (*memory.table(2 * PAGE_SIZE))[PageTableIndex(5)].set(
        PhysAddr(64ull << 20), PageTableFlags::PRESENT | PageTableFlags::HUGE_PAGE);

    const auto giant = mapper.translate(VirtAddr((1ull << 30) + 0x12'3456));
    ASSERT_TRUE(giant.has_value());
    EXPECT_EQ(giant->address.as_u64(), (3ull << 30) + 0x12'3456);
    EXPECT_EQ(giant->page_size, Size1GiB::SIZE);

    const auto huge = mapper.translate(VirtAddr(5 * Size2MiB::SIZE + 0x1'2345));
    ASSERT_TRUE(huge.has_value());
    EXPECT_EQ(huge->address.as_u64(), (64ull << 20) + 0x1'2345);
    EXPECT_EQ(huge->page_size, Size2MiB::SIZE);

    EXPECT_FALSE(mapper.translate(VirtAddr(6 * Size2MiB::SIZE)).has_value());

    // A 4 KiB mapping inside either huge page is refused, and so is unmapping one.
    const auto r = mapper.map_to(Page<>::containing_address(VirtAddr(5 * Size2MiB::SIZE)),
                                 PhysFrame<>::from_start_address(PhysAddr(0x30000)), RW, frames);
    ASSERT_TRUE(r.is_err());
    EXPECT_EQ(r.error(), MapToError::ParentEntryHugePage);
    const auto u = mapper.unmap(Page<>::containing_address(VirtAddr(1ull << 30)));
    ASSERT_TRUE(u.is_err());
    EXPECT_EQ(u.error(), UnmapError::ParentEntryHugePage);
}

TEST_F(MapperTest, UnmapReturnsTheFrame) {
    const auto page = Page<>::containing_address(VirtAddr(0x7000'0000'0000));
    const auto frame = PhysFrame<>::from_start_address(PhysAddr(0x30000));
    mapper.map_to(page, frame, RW, frames).value().ignore();
    auto u = mapper.unmap(page);
    ASSERT_TRUE(u.is_ok());
    EXPECT_TRUE(u.value().frame == frame);
    u.value().flush.ignore();
    EXPECT_FALSE(mapper.translate(page.start_address()).has_value());
    const auto again = mapper.unmap(page);
    ASSERT_TRUE(again.is_err());
    EXPECT_EQ(again.error(), UnmapError::PageNotMapped);
}

TEST(Addresses, CanonicalAndAligned) {
    EXPECT_THROW(VirtAddr(0x0000'8000'0000'0000), std::runtime_error);
    EXPECT_EQ(VirtAddr::truncate(0x0000'8000'0000'0000).as_u64(), 0xffff'8000'0000'0000u);
    EXPECT_THROW(PhysAddr(1ull << 52), std::runtime_error);
    EXPECT_THROW(PhysFrame<>::from_start_address(PhysAddr(0x1234)), std::runtime_error);
    EXPECT_EQ(PhysFrame<Size2MiB>::containing_address(PhysAddr(0x40'1234)).start_address().as_u64(),
              0x40'0000u);
}

// --- boot information and the frame allocator --------------------------------------------------

// A multiboot2 information block with a memory map tag (and an unrelated tag before it).
std::vector<std::uint8_t> make_boot_info(const std::vector<std::array<std::uint64_t, 3>>& regions) {
    std::vector<std::uint8_t> b;
    auto u32 = [&](std::uint32_t v) {
        for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    };
    auto u64 = [&](std::uint64_t v) {
        u32(static_cast<std::uint32_t>(v));
        u32(static_cast<std::uint32_t>(v >> 32));
    };
    u32(0);  // total size, patched below
    u32(0);
    u32(2);  // boot loader name tag, "GRUB\0", padded to 8
    u32(8 + 5);
    for (char c : std::string("GRUB")) b.push_back(static_cast<std::uint8_t>(c));
    b.push_back(0);
    while (b.size() % 8 != 0) b.push_back(0);
    u32(6);  // memory map
    u32(static_cast<std::uint32_t>(16 + 24 * regions.size()));
    u32(24);
    u32(0);
    for (const auto& r : regions) {
        u64(r[0]);
        u64(r[1]);
        u32(static_cast<std::uint32_t>(r[2]));
        u32(0);
    }
    u32(0);  // end tag
    u32(8);
    const auto total = static_cast<std::uint32_t>(b.size());
    std::memcpy(b.data(), &total, 4);
    return b;
}

TEST(BootInfo, ParsesAndSortsTheMemoryMap) {
    const auto blob =
        make_boot_info({{0x100000, 0x7ee0000, 1}, {0, 0x9fc00, 1}, {0xf0000, 0x10000, 2}});
    const boot_info::PhysRange kernel{PhysAddr(0x100000), PhysAddr(0x130000)};
    auto info = boot_info::BootInfo::parse(blob.data(), PhysAddr(0x140000),
                                           VirtAddr(0xffff'8000'0000'0000), kernel);
    ASSERT_TRUE(info.is_ok());
    const auto regions = info.value().memory_regions();
    ASSERT_EQ(regions.size(), 3u);
    EXPECT_EQ(regions[0].range.start.as_u64(), 0u);
    EXPECT_EQ(regions[1].kind, boot_info::MemoryRegionKind::Reserved);
    EXPECT_EQ(regions[2].range.end.as_u64(), 0x7fe0000u);
    EXPECT_EQ(info.value().boot_info().end.as_u64(), 0x140000 + blob.size());
    EXPECT_EQ(info.value().usable_bytes(), 0x7ee0000u + 0x9fc00u);
}

TEST(BootInfo, RejectsBrokenInformation) {
    auto blob = make_boot_info({{0, 0x9fc00, 1}});
    blob[0] = 4;  // total size 4: too small
    blob[1] = blob[2] = blob[3] = 0;
    const boot_info::PhysRange none{};
    EXPECT_EQ(boot_info::BootInfo::parse(blob.data(), PhysAddr(0), VirtAddr(0), none).error(),
              boot_info::ParseError::BadTotalSize);

    std::vector<std::uint8_t> no_map = {16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0};
    EXPECT_EQ(boot_info::BootInfo::parse(no_map.data(), PhysAddr(0), VirtAddr(0), none).error(),
              boot_info::ParseError::NoMemoryMap);
}

TEST(FrameAllocator, SkipsEveryReservedRangeAndNeverRepeats) {
    // Usable: 0..640 KiB, 1 MiB..8 MiB, 16 MiB..16 MiB+64 KiB. Kernel at 1 MiB..1.5 MiB, boot
    // information at 2 MiB (one page).
    const auto blob =
        make_boot_info({{0, 0xa0000, 1}, {0x100000, 0x700000, 1}, {0x1000000, 0x10000, 1}});
    const boot_info::PhysRange kernel{PhysAddr(0x100000), PhysAddr(0x180000)};
    auto info = boot_info::BootInfo::parse(blob.data(), PhysAddr(0x200000), VirtAddr(0), kernel);
    ASSERT_TRUE(info.is_ok());
    BootInfoFrameAllocator allocator(info.value(), PhysAddr(4ull << 30));

    std::uint64_t previous = 0;
    std::size_t count = 0;
    while (const auto frame = allocator.allocate_frame()) {
        const std::uint64_t a = frame->start_address().as_u64();
        EXPECT_EQ(a % PAGE_SIZE, 0u);
        EXPECT_GE(a, 0x100000u) << "low memory handed out";
        EXPECT_FALSE(a >= 0x100000 && a < 0x180000) << "kernel frame " << a;
        EXPECT_NE(a, 0x200000u) << "boot information frame";
        if (count > 0) {
            EXPECT_GT(a, previous);
        }
        previous = a;
        ++count;
    }
    // 7 MiB region minus 512 KiB kernel minus one boot-info page (the info is < 4 KiB), plus 16
    // frames.
    EXPECT_EQ(count, (0x700000 - 0x80000) / PAGE_SIZE - 1 + 16);
    EXPECT_EQ(allocator.allocated(), count);
    EXPECT_FALSE(allocator.allocate_frame().has_value());  // exhausted stays exhausted
}

TEST(FrameAllocator, StopsAtTheLimit) {
    const auto blob = make_boot_info({{0x100000, 0x100000, 1}});
    auto info = boot_info::BootInfo::parse(blob.data(), PhysAddr(0x80000), VirtAddr(0),
                                           {PhysAddr(0x100000), PhysAddr(0x101000)});
    BootInfoFrameAllocator allocator(info.value(), PhysAddr(0x104000));
    std::size_t count = 0;
    while (allocator.allocate_frame()) ++count;
    EXPECT_EQ(count, 3u);  // 0x101000, 0x102000, 0x103000
}

}  // namespace
