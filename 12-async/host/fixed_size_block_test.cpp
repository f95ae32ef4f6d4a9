// Host tests of the fixed-size block allocator (src/allocator/fixed_size_block.h).

#include "allocator/fixed_size_block.h"

#include "random_workload.h"
#include "test_heap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using allocator::FixedSizeBlockAllocator;
using allocator::LinkedListAllocator;

namespace {

std::uintptr_t address(void* pointer) { return reinterpret_cast<std::uintptr_t>(pointer); }

// What a live block takes from the heap: its block size, or what the fallback reserves.
std::size_t reserved(std::size_t size, std::size_t align) {
    if (const auto index = FixedSizeBlockAllocator::size_class(size, align)) {
        return FixedSizeBlockAllocator::BLOCK_SIZES[*index];
    }
    return LinkedListAllocator::size_align(size, align)->size;
}

class FixedSizeBlock : public ::testing::Test {
protected:
    static constexpr std::size_t HEAP_SIZE = 64 * 1024;
    void SetUp() override { allocator.init(heap.start(), heap.size()); }

    test::TestHeap heap{HEAP_SIZE};
    FixedSizeBlockAllocator allocator;
};

TEST(FixedSizeBlockClasses, SmallestBlockThatFitsSizeAndAlignment) {
    using A = FixedSizeBlockAllocator;
    EXPECT_EQ(A::size_class(0, 1), 0u);
    EXPECT_EQ(A::size_class(1, 1), 0u);
    EXPECT_EQ(A::size_class(8, 8), 0u);
    EXPECT_EQ(A::size_class(9, 1), 1u);
    EXPECT_EQ(A::size_class(1, 64), 3u);  // alignment decides
    EXPECT_EQ(A::size_class(100, 4), 4u);
    EXPECT_EQ(A::size_class(2048, 2048), 8u);
    EXPECT_EQ(A::size_class(2049, 1), std::nullopt);
    EXPECT_EQ(A::size_class(8, 4096), std::nullopt);
}

// size_class computes the index; it must agree with the plain search the Rust series does.
TEST(FixedSizeBlockClasses, AgreesWithALinearSearch) {
    using A = FixedSizeBlockAllocator;
    for (std::size_t size = 0; size <= 4200; ++size) {
        for (std::size_t align = 1; align <= 8192; align *= 2) {
            const std::size_t needed = std::max(size, align);
            std::optional<std::size_t> expected;
            for (std::size_t i = 0; i < A::BLOCK_SIZES.size(); ++i) {
                if (A::BLOCK_SIZES[i] >= needed) {
                    expected = i;
                    break;
                }
            }
            ASSERT_EQ(A::size_class(size, align), expected)
                << "size " << size << " align " << align;
        }
    }
}

TEST_F(FixedSizeBlock, BlocksAreAlignedToTheirSize) {
    for (std::size_t size = 1; size <= 2048; size = size * 2 + 1) {
        void* block = allocator.allocate(size, 1);
        ASSERT_NE(block, nullptr);
        const std::size_t block_size =
            FixedSizeBlockAllocator::BLOCK_SIZES[*FixedSizeBlockAllocator::size_class(size, 1)];
        EXPECT_EQ(address(block) % block_size, 0u) << "size " << size;
    }
    EXPECT_TRUE(allocator.check_integrity().ok());
}

TEST_F(FixedSizeBlock, FreedBlockIsReusedFirst) {
    void* a = allocator.allocate(32, 8);
    void* b = allocator.allocate(32, 8);
    allocator.deallocate(a, 32, 8);
    allocator.deallocate(b, 32, 8);
    EXPECT_EQ(allocator.free_blocks(2), 2u);
    EXPECT_EQ(allocator.allocate(20, 4), b);  // last in, first out
    EXPECT_EQ(allocator.allocate(32, 32), a);
    EXPECT_EQ(allocator.free_blocks(2), 0u);
}

TEST_F(FixedSizeBlock, EightByteBlocksComeInPairs) {
    const std::size_t fallback_before = allocator.fallback().free_bytes();
    void* a = allocator.allocate(8, 8);
    EXPECT_EQ(allocator.fallback().free_bytes(), fallback_before - 16);  // the fallback's minimum
    EXPECT_EQ(allocator.free_blocks(0), 1u);  // the twin waits in the list
    void* b = allocator.allocate(8, 8);
    EXPECT_EQ(address(b), address(a) + 8);
    EXPECT_EQ(allocator.fallback().free_bytes(), fallback_before - 16);  // no new memory taken
    allocator.deallocate(a, 8, 8);
    allocator.deallocate(b, 8, 8);
    EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE);
}

TEST_F(FixedSizeBlock, LargeRequestsGoToTheFallback) {
    void* big = allocator.allocate(3000, 8);
    void* aligned = allocator.allocate(16, 4096);
    ASSERT_NE(big, nullptr);
    ASSERT_NE(aligned, nullptr);
    EXPECT_EQ(address(aligned) % 4096, 0u);
    EXPECT_EQ(allocator.fallback().free_bytes(), HEAP_SIZE - 3000 - 16);
    allocator.deallocate(big, 3000, 8);
    allocator.deallocate(aligned, 16, 4096);
    EXPECT_EQ(allocator.fallback().free_bytes(), HEAP_SIZE);
    EXPECT_EQ(allocator.fallback().free_regions(), 1u);
}

TEST_F(FixedSizeBlock, ExhaustionReturnsNullAndEverythingComesBack) {
    std::vector<void*> blocks;
    while (void* block = allocator.allocate(1024, 8)) blocks.push_back(block);
    EXPECT_EQ(blocks.size(), HEAP_SIZE / 1024);
    EXPECT_EQ(allocator.allocate(8, 8), nullptr);  // the lists are empty and the fallback is too
    EXPECT_TRUE(allocator.check_integrity().ok());
    for (void* block : blocks) allocator.deallocate(block, 1024, 8);
    EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE);
    EXPECT_EQ(allocator.free_blocks(7), HEAP_SIZE / 1024);
    // The blocks stay 1024-byte blocks: a 2048-byte request finds no memory.
    EXPECT_EQ(allocator.allocate(2048, 8), nullptr);
    EXPECT_NE(allocator.allocate(1000, 8), nullptr);
}

TEST_F(FixedSizeBlock, ImpossibleRequestsReturnNull) {
    EXPECT_EQ(allocator.allocate(std::numeric_limits<std::size_t>::max(), 8), nullptr);
    EXPECT_EQ(allocator.allocate(8, 3), nullptr);
    EXPECT_EQ(allocator.allocate(8, 0), nullptr);
    EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE);
}

using FixedSizeBlockDeathTest = FixedSizeBlock;

TEST_F(FixedSizeBlockDeathTest, ImmediateDoubleFreePanics) {
    void* a = allocator.allocate(64, 8);
    allocator.deallocate(a, 64, 8);
    EXPECT_DEATH(allocator.deallocate(a, 64, 8), "double free");
}

TEST_F(FixedSizeBlockDeathTest, WrongSizeOnFreePanics) {
    void* a = allocator.allocate(16, 8);
    void* b = allocator.allocate(16, 8);  // 16 bytes after a: it cannot be a 64-byte block
    (void)a;
    EXPECT_DEATH(allocator.deallocate(b, 64, 8), "not a 64-byte block");
}

TEST_F(FixedSizeBlockDeathTest, FreeOutsideTheHeapPanics) {
    int local = 0;
    EXPECT_DEATH(allocator.deallocate(&local, 4, 4), "not inside the heap");
}

// --- the integrity checker finds corruption ---------------------------------------------------

struct Block {
    Block* next;
};

TEST_F(FixedSizeBlock, IntegrityCheckFindsCycles) {
    void* a = allocator.allocate(64, 8);
    allocator.deallocate(a, 64, 8);
    static_cast<Block*>(a)->next = static_cast<Block*>(a);  // use after free: the list loops
    EXPECT_EQ(allocator.check_integrity().reason(), std::string("free block list has a cycle"));
    static_cast<Block*>(a)->next = nullptr;
    EXPECT_TRUE(allocator.check_integrity().ok());
}

TEST_F(FixedSizeBlock, IntegrityCheckFindsABlockInTwoLists) {
    void* small = allocator.allocate(16, 16);
    void* large = allocator.allocate(32, 32);
    allocator.deallocate(small, 16, 16);
    allocator.deallocate(large, 32, 32);
    ASSERT_TRUE(allocator.check_integrity().ok());
    static_cast<Block*>(small)->next =
        static_cast<Block*>(large);  // the 32-byte block is now in both lists
    const auto integrity = allocator.check_integrity();
    EXPECT_EQ(integrity.reason(), std::string("a free block is in two lists"));
    EXPECT_EQ(integrity.address(), address(large));
}

TEST_F(FixedSizeBlock, IntegrityCheckFindsMisalignedBlocks) {
    void* a = allocator.allocate(64, 64);
    allocator.deallocate(a, 64, 64);
    static_cast<Block*>(a)->next = reinterpret_cast<Block*>(address(a) + 72);
    EXPECT_EQ(allocator.check_integrity().reason(),
              std::string("free block not aligned to its size"));
    static_cast<Block*>(a)->next = nullptr;
}

// --- random workloads ------------------------------------------------------------------------

class FixedSizeBlockRandom : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(FixedSizeBlockRandom, InvariantsHoldAndEverythingComesBack) {
    constexpr std::size_t HEAP_SIZE = 512 * 1024;
    test::TestHeap heap(HEAP_SIZE);
    FixedSizeBlockAllocator allocator;
    allocator.init(heap.start(), heap.size());
    test::LiveBlocks live(heap.start(), heap.end());
    test::WorkloadStats stats;

    auto conserved = [&](const test::LiveBlocks& blocks) {
        std::size_t in_use = 0;
        for (const auto& [start, block] : blocks.blocks()) {
            in_use += reserved(block.size, block.align);
        }
        EXPECT_EQ(allocator.free_bytes() + in_use, HEAP_SIZE);
    };
    test::run_random_workload(allocator, live, GetParam(), 4000, stats, conserved);
    if (HasFatalFailure()) return;
    test::free_all(allocator, live);
    EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE);
    EXPECT_GT(stats.allocations, 1000u);
}

TEST_P(FixedSizeBlockRandom, ExhaustedHeapStaysConsistent) {
    constexpr std::size_t HEAP_SIZE = 48 * 1024;
    test::TestHeap heap(HEAP_SIZE);
    FixedSizeBlockAllocator allocator;
    allocator.init(heap.start(), heap.size());
    test::LiveBlocks live(heap.start(), heap.end());
    test::WorkloadStats stats;
    test::run_random_workload(allocator, live, GetParam() + 1000, 3000, stats,
                              [](const test::LiveBlocks&) {});
    if (HasFatalFailure()) return;
    EXPECT_GT(stats.failures, 0u);
    test::free_all(allocator, live);
    EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE);
}

INSTANTIATE_TEST_SUITE_P(Seeds, FixedSizeBlockRandom, ::testing::Values(1, 2, 3, 42, 2024));

}  // namespace
