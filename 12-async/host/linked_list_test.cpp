// Host tests of the linked list allocator (src/allocator/linked_list.h).

#include "allocator/linked_list.h"

#include "random_workload.h"
#include "test_heap.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

using allocator::LinkedListAllocator;

namespace {

constexpr std::size_t NODE = LinkedListAllocator::MIN_BLOCK_SIZE;

std::uintptr_t address(void* pointer) { return reinterpret_cast<std::uintptr_t>(pointer); }

// What the allocator reserves for a request (what it must get back on free).
std::size_t reserved(std::size_t size, std::size_t align) {
    return LinkedListAllocator::size_align(size, align)->size;
}

class LinkedList : public ::testing::Test {
protected:
    static constexpr std::size_t HEAP_SIZE = 64 * 1024;
    void SetUp() override { allocator.init(heap.start(), heap.size()); }

    test::TestHeap heap{HEAP_SIZE};
    LinkedListAllocator allocator;
};

TEST(LinkedListLayout, RoundsToNodeSizeAndAlignment) {
    EXPECT_EQ(NODE, 16u);
    const auto tiny = LinkedListAllocator::size_align(1, 1);
    EXPECT_EQ(tiny->size, 16u);
    EXPECT_EQ(tiny->align, 8u);
    EXPECT_EQ(LinkedListAllocator::size_align(0, 1)->size, 16u);
    EXPECT_EQ(LinkedListAllocator::size_align(17, 4)->size, 24u);
    // Only padded to the node alignment, not to the request's: 16 bytes aligned to 4096 is 16.
    EXPECT_EQ(LinkedListAllocator::size_align(16, 4096)->size, 16u);
    EXPECT_EQ(LinkedListAllocator::size_align(16, 4096)->align, 4096u);
    EXPECT_FALSE(LinkedListAllocator::size_align(8, 3));
    EXPECT_FALSE(LinkedListAllocator::size_align(std::numeric_limits<std::size_t>::max() - 3, 8));
}

TEST(LinkedListInit, EmptyAllocatorHasNothing) {
    LinkedListAllocator empty;
    EXPECT_EQ(empty.allocate(8, 8), nullptr);
    EXPECT_EQ(empty.free_bytes(), 0u);
    EXPECT_TRUE(empty.check_integrity().ok());
}

TEST(LinkedListInit, TrimsAnUnalignedHeapToNodeAlignment) {
    test::TestHeap heap(4096);
    LinkedListAllocator allocator;
    allocator.init(heap.start() + 3,
                   1000);  // starts 3 bytes past an aligned address, ends at +1003
    EXPECT_EQ(allocator.heap_start(), heap.start() + 8);
    EXPECT_EQ(allocator.heap_end(), heap.start() + 1000);
    EXPECT_EQ(allocator.free_bytes(), 992u);
    EXPECT_EQ(allocator.free_regions(), 1u);
    EXPECT_TRUE(allocator.check_integrity().ok());
}

TEST(LinkedListInit, HeapTooSmallForANodeIsEmpty) {
    test::TestHeap heap(4096);
    LinkedListAllocator allocator;
    allocator.init(heap.start() + 1, 20);  // 8..16 after trimming: 8 bytes, less than a node
    EXPECT_EQ(allocator.free_bytes(), 0u);
    EXPECT_EQ(allocator.allocate(1, 1), nullptr);
    EXPECT_TRUE(allocator.check_integrity().ok());
}

TEST_F(LinkedList, FirstFitHandsOutConsecutiveBlocks) {
    void* a = allocator.allocate(64, 8);
    void* b = allocator.allocate(64, 8);
    void* c = allocator.allocate(1, 1);
    EXPECT_EQ(address(a), heap.start());
    EXPECT_EQ(address(b), heap.start() + 64);
    EXPECT_EQ(address(c), heap.start() + 128);
    EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE - 64 - 64 - 16);
    EXPECT_EQ(allocator.free_regions(), 1u);
    EXPECT_TRUE(allocator.check_integrity().ok());
}

TEST_F(LinkedList, SizeZeroGetsABlockOfItsOwn) {
    void* a = allocator.allocate(0, 1);
    void* b = allocator.allocate(0, 1);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_NE(a, b);
    allocator.deallocate(a, 0, 1);
    allocator.deallocate(b, 0, 1);
    EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE);
}

TEST_F(LinkedList, FreedBlockIsReused) {
    void* a = allocator.allocate(100, 8);
    void* keep = allocator.allocate(100, 8);
    allocator.deallocate(a, 100, 8);
    EXPECT_EQ(allocator.allocate(50, 8), a);  // the first region that fits is the freed one
    (void)keep;
}

TEST_F(LinkedList, MergesWithBothNeighbours) {
    void* a = allocator.allocate(64, 8);
    void* b = allocator.allocate(64, 8);
    void* c = allocator.allocate(64, 8);
    void* d = allocator.allocate(64, 8);  // keeps c apart from the rest of the heap
    ASSERT_EQ(allocator.free_regions(), 1u);

    allocator.deallocate(a, 64, 8);
    allocator.deallocate(c, 64, 8);
    EXPECT_EQ(allocator.free_regions(), 3u);  // a, c, and the rest after d
    EXPECT_TRUE(allocator.check_integrity().ok());

    allocator.deallocate(b, 64, 8);  // fills the gap: a, b and c become one region
    EXPECT_EQ(allocator.free_regions(), 2u);
    EXPECT_TRUE(allocator.check_integrity().ok());

    allocator.deallocate(d, 64, 8);  // and now everything is one region again
    EXPECT_EQ(allocator.free_regions(), 1u);
    EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE);
    // A request for the whole heap succeeds: without merging the heap would stay in pieces.
    EXPECT_EQ(address(allocator.allocate(HEAP_SIZE, 8)), heap.start());
}

TEST_F(LinkedList, MergesWithTheNextRegionOnly) {
    void* a = allocator.allocate(64, 8);
    void* b = allocator.allocate(64, 8);
    allocator.deallocate(b, 64, 8);  // merges with the rest of the heap after it
    EXPECT_EQ(allocator.free_regions(), 1u);
    EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE - 64);
    allocator.deallocate(a, 64, 8);
    EXPECT_EQ(allocator.free_regions(), 1u);
}

TEST_F(LinkedList, AlignmentGapStaysFree) {
    void* small = allocator.allocate(8, 8);  // heap start .. +16
    void* aligned = allocator.allocate(64, 4096);
    EXPECT_EQ(address(aligned), heap.start() + 4096);
    // The 4080 bytes between the two blocks were not lost: they are a free region.
    EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE - 16 - 64);
    EXPECT_EQ(allocator.free_regions(), 2u);
    EXPECT_TRUE(allocator.check_integrity().ok());
    allocator.deallocate(small, 8, 8);
    allocator.deallocate(aligned, 64, 4096);
    EXPECT_EQ(allocator.free_regions(), 1u);
    EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE);
}

TEST(LinkedListPlacement, AlignmentGapTooSmallForANodeMovesTheBlockOn) {
    // Region starts 8 bytes below a 16-byte boundary: the 8-byte gap could not be kept free, so
    // the block goes to the next 16-byte boundary after a node's worth of room.
    test::TestHeap local_heap(4096);
    LinkedListAllocator local;
    local.init(local_heap.start() + 8, 1024);
    void* block = local.allocate(16, 16);
    EXPECT_EQ(address(block), local_heap.start() + 32);
    EXPECT_EQ(local.free_bytes(), 1024u - 16);
    EXPECT_TRUE(local.check_integrity().ok());
}

TEST(LinkedListPlacement, RestTooSmallForANodeSkipsTheRegion) {
    test::TestHeap local_heap(4096);
    LinkedListAllocator local;
    local.init(local_heap.start(), 24);
    EXPECT_EQ(local.allocate(16, 8), nullptr);  // 8 bytes would be left: not a region, not usable
    EXPECT_NE(local.allocate(24, 8), nullptr);  // the exact size fits
}

TEST_F(LinkedList, ExhaustionReturnsNullAndEverythingComesBack) {
    std::vector<void*> blocks;
    while (void* block = allocator.allocate(1000, 8)) blocks.push_back(block);
    EXPECT_EQ(blocks.size(), HEAP_SIZE / 1000);
    EXPECT_EQ(allocator.allocate(1000, 8), nullptr);
    EXPECT_TRUE(allocator.check_integrity().ok());
    for (void* block : blocks) allocator.deallocate(block, 1000, 8);
    EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE);
    EXPECT_EQ(allocator.free_regions(), 1u);
}

TEST_F(LinkedList, ImpossibleRequestsReturnNull) {
    constexpr std::size_t MAX = std::numeric_limits<std::size_t>::max();
    EXPECT_EQ(allocator.allocate(MAX, 8), nullptr);
    EXPECT_EQ(allocator.allocate(MAX - 20, 1), nullptr);
    EXPECT_EQ(allocator.allocate(HEAP_SIZE + 1, 1), nullptr);
    EXPECT_EQ(allocator.allocate(8, 0), nullptr);
    EXPECT_EQ(allocator.allocate(8, 24), nullptr);                    // not a power of two
    EXPECT_EQ(allocator.allocate(8, std::size_t{1} << 63), nullptr);  // rounding up overflows
    EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE);
    EXPECT_TRUE(allocator.check_integrity().ok());
}

TEST_F(LinkedList, MoveHandsTheHeapOver) {
    void* a = allocator.allocate(64, 8);
    LinkedListAllocator moved(std::move(allocator));
    EXPECT_EQ(allocator.free_bytes(), 0u);  // NOLINT(bugprone-use-after-move): documented empty
    EXPECT_EQ(moved.free_bytes(), HEAP_SIZE - 64);
    moved.deallocate(a, 64, 8);
    EXPECT_EQ(moved.free_bytes(), HEAP_SIZE);
}

// --- contract violations panic --------------------------------------------------------------

using LinkedListDeathTest = LinkedList;

TEST_F(LinkedListDeathTest, DoubleFreePanics) {
    void* a = allocator.allocate(64, 8);
    void* b = allocator.allocate(64, 8);
    (void)b;
    allocator.deallocate(a, 64, 8);
    EXPECT_DEATH(allocator.deallocate(a, 64, 8), "overlaps free region .*double free");
}

TEST_F(LinkedListDeathTest, FreeOutsideTheHeapPanics) {
    int local = 0;
    EXPECT_DEATH(allocator.deallocate(&local, sizeof local, alignof(int)), "not inside the heap");
    EXPECT_DEATH(allocator.deallocate(nullptr, 8, 8), "not inside the heap");
}

TEST_F(LinkedListDeathTest, SecondInitPanics) {
    EXPECT_DEATH(allocator.init(heap.start(), heap.size()), "init called twice");
}

// --- the integrity checker finds corruption ---------------------------------------------------

// A free region's node, as the allocator lays it out (size, then next).
struct Node {
    std::size_t size;
    Node* next;
};

TEST_F(LinkedList, IntegrityCheckFindsCorruptedNodes) {
    void* a = allocator.allocate(64, 8);
    void* b = allocator.allocate(64, 8);
    void* c = allocator.allocate(64, 8);
    (void)b;
    allocator.deallocate(a, 64, 8);
    allocator.deallocate(c, 64, 8);  // merges with the tail
    ASSERT_TRUE(allocator.check_integrity().ok());

    // A use-after-free write into a's node: the region now reaches into b and c.
    auto* node = static_cast<Node*>(a);
    node->size = 128 + 8;
    EXPECT_EQ(allocator.check_integrity().reason(), std::string("free regions overlap"));
    node->size = 128;
    EXPECT_EQ(allocator.check_integrity().reason(),
              std::string("adjacent free regions not merged"));
    node->size = 12;
    EXPECT_EQ(allocator.check_integrity().reason(), std::string("free region smaller than a node"));
    node->size = 64;
    node->next = node;
    EXPECT_EQ(allocator.check_integrity().reason(), std::string("free list not sorted by address"));
    node->next = reinterpret_cast<Node*>(heap.end() + 4096);
    const auto outside = allocator.check_integrity();
    EXPECT_EQ(outside.reason(), std::string("free region outside the heap"));
    EXPECT_EQ(outside.address(), heap.end() + 4096);
    node->next = static_cast<Node*>(c);
    EXPECT_TRUE(allocator.check_integrity().ok());
}

// --- random workloads ------------------------------------------------------------------------

class LinkedListRandom : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(LinkedListRandom, InvariantsHoldAndEverythingComesBack) {
    constexpr std::size_t HEAP_SIZE = 512 * 1024;
    test::TestHeap heap(HEAP_SIZE);
    LinkedListAllocator allocator;
    allocator.init(heap.start(), heap.size());
    test::LiveBlocks live(heap.start(), heap.end());
    test::WorkloadStats stats;

    // No byte goes missing: free bytes plus the reserved size of every live block is the heap.
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
    EXPECT_EQ(allocator.free_regions(), 1u);
    EXPECT_GT(stats.allocations, 1000u);
    RecordProperty("allocations", static_cast<int>(stats.allocations));
    RecordProperty("failures", static_cast<int>(stats.failures));
}

// A small heap: the workload runs into exhaustion again and again.
TEST_P(LinkedListRandom, ExhaustedHeapStaysConsistent) {
    constexpr std::size_t HEAP_SIZE = 48 * 1024;
    test::TestHeap heap(HEAP_SIZE);
    LinkedListAllocator allocator;
    allocator.init(heap.start(), heap.size());
    test::LiveBlocks live(heap.start(), heap.end());
    test::WorkloadStats stats;
    test::run_random_workload(allocator, live, GetParam() + 1000, 3000, stats,
                              [](const test::LiveBlocks&) {});
    if (HasFatalFailure()) return;
    EXPECT_GT(stats.failures, 0u);
    test::free_all(allocator, live);
    EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE);
    EXPECT_EQ(allocator.free_regions(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, LinkedListRandom, ::testing::Values(1, 2, 3, 42, 2024));

}  // namespace
