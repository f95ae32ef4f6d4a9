// Host tests of the bump allocator (src/allocator/bump.h).

#include "allocator/bump.h"

#include "random_workload.h"
#include "test_heap.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

using allocator::BumpAllocator;

namespace {

std::uintptr_t address(void* pointer) { return reinterpret_cast<std::uintptr_t>(pointer); }

class Bump : public ::testing::Test {
protected:
    static constexpr std::size_t HEAP_SIZE = 64 * 1024;
    void SetUp() override { allocator.init(heap.start(), heap.size()); }

    test::TestHeap heap{HEAP_SIZE};
    BumpAllocator allocator;
};

TEST(BumpInit, EmptyAllocatorHasNothing) {
    BumpAllocator empty;
    EXPECT_EQ(empty.allocate(1, 1), nullptr);
    EXPECT_TRUE(empty.check_integrity().ok());
}

TEST_F(Bump, BlocksFollowEachOtherWithAlignmentPadding) {
    void* a = allocator.allocate(3, 1);
    void* b = allocator.allocate(8, 8);
    void* c = allocator.allocate(1, 4096);
    EXPECT_EQ(address(a), heap.start());
    EXPECT_EQ(address(b), heap.start() + 8);  // 3 rounded up to 8
    EXPECT_EQ(address(c), heap.start() + 4096);
    EXPECT_EQ(allocator.next(), heap.start() + 4097);
    EXPECT_EQ(allocator.allocations(), 3u);
    EXPECT_TRUE(allocator.check_integrity().ok());
}

TEST_F(Bump, SizeZeroStillGetsAnAddressOfItsOwn) {
    void* a = allocator.allocate(0, 1);
    void* b = allocator.allocate(0, 1);
    EXPECT_NE(a, b);
}

TEST_F(Bump, ResetsOnlyWhenTheLastAllocationIsFreed) {
    void* a = allocator.allocate(100, 8);
    void* b = allocator.allocate(100, 8);
    allocator.deallocate(a, 100, 8);
    // a's bytes are not reused: b is still alive above them.
    EXPECT_EQ(allocator.allocations(), 1u);
    EXPECT_EQ(allocator.next(), heap.start() + 204);
    EXPECT_EQ(address(allocator.allocate(10, 1)), heap.start() + 204);
    EXPECT_EQ(allocator.allocations(), 2u);

    allocator.deallocate(b, 100, 8);
    allocator.deallocate(reinterpret_cast<void*>(heap.start() + 204), 10, 1);
    EXPECT_EQ(allocator.allocations(), 0u);
    EXPECT_EQ(allocator.next(), heap.start());  // the whole heap is free again
    EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE);
    EXPECT_EQ(allocator.allocate(HEAP_SIZE, 1), reinterpret_cast<void*>(heap.start()));
}

TEST_F(Bump, ExhaustionReturnsNull) {
    std::vector<void*> blocks;
    while (void* block = allocator.allocate(1000, 8)) blocks.push_back(block);
    EXPECT_EQ(blocks.size(), HEAP_SIZE / 1000);  // 1000 is a multiple of 8: no padding
    EXPECT_TRUE(allocator.check_integrity().ok());
    for (void* block : blocks) allocator.deallocate(block, 1000, 8);
    EXPECT_EQ(allocator.next(), heap.start());
}

TEST_F(Bump, ImpossibleRequestsReturnNull) {
    EXPECT_EQ(allocator.allocate(std::numeric_limits<std::size_t>::max(), 1), nullptr);
    EXPECT_EQ(allocator.allocate(8, 3), nullptr);
    EXPECT_EQ(allocator.allocate(8, 0), nullptr);
    EXPECT_EQ(allocator.allocations(), 0u);
}

// The bump allocator never touches its heap's memory, so it can be handed addresses at the top
// of the address space, where unchecked arithmetic would wrap around.
TEST(BumpOverflow, ArithmeticNearTheTopOfTheAddressSpaceIsChecked) {
    constexpr std::uintptr_t MAX = std::numeric_limits<std::uintptr_t>::max();
    BumpAllocator allocator;
    allocator.init(MAX - 100, 100);  // [MAX-100, MAX)
    // align_up(MAX - 100, 4096) wraps to 0; unchecked, 0 + 8 <= heap_end would "succeed".
    EXPECT_EQ(allocator.allocate(8, 4096), nullptr);
    // next + 200 wraps to 99; unchecked, 99 <= heap_end would "succeed" too.
    EXPECT_EQ(allocator.allocate(200, 1), nullptr);
    EXPECT_EQ(address(allocator.allocate(100, 1)), MAX - 100);
    EXPECT_EQ(allocator.allocate(1, 1), nullptr);
    EXPECT_TRUE(allocator.check_integrity().ok());
}

using BumpDeathTest = Bump;

TEST_F(BumpDeathTest, FreeAfterTheResetPanics) {
    void* a = allocator.allocate(8, 8);
    allocator.deallocate(a, 8, 8);  // the count drops to 0: the heap is reset
    // a lies above next now, where no allocated block can be.
    EXPECT_DEATH(allocator.deallocate(a, 8, 8), "not an allocated block");
}

TEST_F(BumpDeathTest, FreeOutsideTheHeapPanics) {
    int local = 0;
    EXPECT_DEATH(allocator.deallocate(&local, 4, 4), "not an allocated block");
}

TEST_F(BumpDeathTest, SecondInitPanics) {
    EXPECT_DEATH(allocator.init(heap.start(), 16), "init called twice");
}

// --- random workloads ------------------------------------------------------------------------

class BumpRandom : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(BumpRandom, InvariantsHoldAndTheHeapResets) {
    constexpr std::size_t HEAP_SIZE = 1024 * 1024;
    test::TestHeap heap(HEAP_SIZE);
    BumpAllocator allocator;
    allocator.init(heap.start(), heap.size());
    test::LiveBlocks live(heap.start(), heap.end());
    test::WorkloadStats stats;
    std::size_t resets = 0;

    // Every 500 steps everything is freed: the heap must be whole again.
    for (int round = 0; round < 8; ++round) {
        test::run_random_workload(allocator, live,
                                  GetParam() * 100 + static_cast<std::uint64_t>(round), 500, stats,
                                  [&](const test::LiveBlocks& blocks) {
                                      EXPECT_EQ(allocator.allocations(), blocks.count());
                                      if (blocks.empty()) {
                                          EXPECT_EQ(allocator.next(), heap.start());
                                          ++resets;
                                      }
                                  });
        if (HasFatalFailure()) return;
        test::free_all(allocator, live);
        EXPECT_EQ(allocator.next(), heap.start());
        EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE);
    }
    EXPECT_GT(stats.allocations, 1000u);
    RecordProperty("resets_during_workload", static_cast<int>(resets));
}

INSTANTIATE_TEST_SUITE_P(Seeds, BumpRandom, ::testing::Values(1, 2, 3, 42, 2024));

}  // namespace
