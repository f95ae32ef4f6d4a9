// The kernel's heap tests (stages 10 and 11: simple_allocation, large_vec, many_boxes,
// many_boxes_long_lived) replayed on the host against each allocator, on a heap as big as the
// kernel's (100 KiB). The integrity checker must hold after every step.
//
// Expected: all three allocators pass the first three; the bump allocator fails
// many_boxes_long_lived, because the one block that stays alive keeps it from ever resetting.

#include "allocator/bump.h"
#include "allocator/fixed_size_block.h"
#include "allocator/linked_list.h"

#include "random_workload.h"
#include "test_heap.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <optional>

namespace {

constexpr std::size_t HEAP_SIZE = 100 * 1024;  // the kernel heap of stage 10

template <typename Allocator>
class HeapPatterns : public ::testing::Test {
protected:
    void SetUp() override { allocator.init(heap.start(), heap.size()); }

    // A Box<std::uint64_t>: allocate, write, read back, free. Returns false when the heap is out.
    bool box_round_trip(std::uint64_t value) {
        auto* box =
            static_cast<std::uint64_t*>(allocator.allocate(sizeof value, alignof(std::uint64_t)));
        if (box == nullptr) return false;
        *box = value;
        EXPECT_EQ(*box, value);
        allocator.deallocate(box, sizeof value, alignof(std::uint64_t));
        return true;
    }

    // HEAP_SIZE boxes one after another; the iteration where the heap ran out, if it did.
    std::optional<std::size_t> many_boxes() {
        for (std::size_t i = 0; i < HEAP_SIZE; ++i) {
            if (!box_round_trip(i)) return i;
            test::expect_integrity(allocator, "many_boxes", i);
            if (HasFatalFailure()) return i;
        }
        return std::nullopt;
    }

    test::TestHeap heap{HEAP_SIZE};
    Allocator allocator;
};

using Allocators = ::testing::Types<allocator::BumpAllocator, allocator::LinkedListAllocator,
                                    allocator::FixedSizeBlockAllocator>;

class AllocatorNames {
public:
    template <typename T>
    static std::string GetName(int) {
        if constexpr (std::is_same_v<T, allocator::BumpAllocator>) return "Bump";
        else if constexpr (std::is_same_v<T, allocator::LinkedListAllocator>) return "LinkedList";
        else return "FixedSizeBlock";
    }
};

TYPED_TEST_SUITE(HeapPatterns, Allocators, AllocatorNames);

TYPED_TEST(HeapPatterns, SimpleAllocation) {
    auto* a = static_cast<std::uint64_t*>(this->allocator.allocate(8, 8));
    auto* b = static_cast<std::uint64_t*>(this->allocator.allocate(8, 8));
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    *a = 41;
    *b = 13;
    EXPECT_EQ(*a, 41u);
    EXPECT_EQ(*b, 13u);
    this->allocator.deallocate(a, 8, 8);
    this->allocator.deallocate(b, 8, 8);
    test::expect_integrity(this->allocator, "simple_allocation", 0);
}

// A Vec<std::uint64_t> of 1000 elements growing by doubling: each growth allocates the bigger
// buffer, copies, frees the old one.
TYPED_TEST(HeapPatterns, LargeVec) {
    constexpr std::size_t N = 1000;
    std::uint64_t* data = nullptr;
    std::size_t capacity = 0;
    for (std::size_t i = 0; i < N; ++i) {
        if (i == capacity) {
            const std::size_t new_capacity = capacity == 0 ? 4 : capacity * 2;
            auto* bigger =
                static_cast<std::uint64_t*>(this->allocator.allocate(new_capacity * 8, 8));
            ASSERT_NE(bigger, nullptr) << "growing to " << new_capacity;
            if (data != nullptr) {
                std::memcpy(bigger, data, capacity * 8);
                this->allocator.deallocate(data, capacity * 8, 8);
            }
            data = bigger;
            capacity = new_capacity;
            test::expect_integrity(this->allocator, "large_vec", i);
        }
        data[i] = i;
    }
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < N; ++i) sum += data[i];
    EXPECT_EQ(sum, (N - 1) * N / 2);
    this->allocator.deallocate(data, capacity * 8, 8);
}

TYPED_TEST(HeapPatterns, ManyBoxes) {
    EXPECT_EQ(this->many_boxes(), std::nullopt) << "freed memory must be reused";
}

TYPED_TEST(HeapPatterns, ManyBoxesLongLived) {
    auto* long_lived = static_cast<std::uint64_t*>(this->allocator.allocate(8, 8));
    ASSERT_NE(long_lived, nullptr);
    *long_lived = 1;
    const std::optional<std::size_t> ran_out_at = this->many_boxes();
    if constexpr (std::is_same_v<TypeParam, allocator::BumpAllocator>) {
        // The bump allocator cannot reuse anything while long_lived is alive: it runs out once
        // the boxes have used up the heap, 8 bytes each.
        ASSERT_TRUE(ran_out_at.has_value()) << "the bump allocator was expected to fail this test";
        EXPECT_EQ(*ran_out_at, HEAP_SIZE / 8 - 1);
    } else {
        EXPECT_EQ(ran_out_at, std::nullopt) << "freed memory must be reused";
    }
    EXPECT_EQ(*long_lived, 1u);
    this->allocator.deallocate(long_lived, 8, 8);
    test::expect_integrity(this->allocator, "many_boxes_long_lived", 0);
}

}  // namespace
