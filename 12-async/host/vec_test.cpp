// Host tests of ktl::Vec (src/ktl/vec.h). Its buffers go through the sized, aligned
// ::operator delete; AddressSanitizer checks that the size given there is the allocated one.

#include "ktl/vec.h"
#include "ktl/box.h"

#include "tracked.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

namespace {

TEST(Vec, StartsEmptyWithoutABuffer) {
    ktl::Vec<int> v;
    EXPECT_EQ(v.size(), 0u);
    EXPECT_EQ(v.capacity(), 0u);
    EXPECT_TRUE(v.empty());
    EXPECT_EQ(v.begin(), v.end());
}

// The kernel's large_vec test: 1000 pushes, then the sum.
TEST(Vec, ThousandPushesAndTheirSum) {
    ktl::Vec<std::uint64_t> v;
    constexpr std::uint64_t N = 1000;
    for (std::uint64_t i = 0; i < N; ++i) v.push_back(i);
    EXPECT_EQ(v.size(), N);
    std::uint64_t sum = 0;
    for (std::uint64_t x : v) sum += x;
    EXPECT_EQ(sum, (N - 1) * N / 2);
}

TEST(Vec, GrowthDoublesAndKeepsTheElements) {
    ktl::Vec<int> v;
    std::size_t capacity_changes = 0;
    std::size_t last_capacity = 0;
    for (int i = 0; i < 100; ++i) {
        v.push_back(i * 3);
        if (v.capacity() != last_capacity) {
            ++capacity_changes;
            EXPECT_TRUE(last_capacity == 0 || v.capacity() == 2 * last_capacity);
            last_capacity = v.capacity();
            for (int j = 0; j <= i; ++j) ASSERT_EQ(v[static_cast<std::size_t>(j)], j * 3);
        }
    }
    EXPECT_EQ(capacity_changes, 6u);  // 4, 8, 16, 32, 64, 128
}

TEST(Vec, EveryElementIsDestroyedExactlyOnce) {
    test::Counters counters;
    {
        ktl::Vec<test::Tracked> v;
        for (int i = 0; i < 37; ++i) v.emplace_back(counters, i);
        EXPECT_EQ(counters.alive(), 37);  // growth moved them and destroyed the moved-from ones
        for (int i = 0; i < 37; ++i) EXPECT_EQ(v[static_cast<std::size_t>(i)].value(), i);
    }
    EXPECT_EQ(counters.alive(), 0);
    EXPECT_GT(counters.constructed, 37);  // the moves count as constructions
}

TEST(Vec, PushingAnElementOfItselfWhileGrowing) {
    ktl::Vec<int> v;
    v.reserve(4);
    for (int i = 0; i < 4; ++i) v.push_back(i);
    ASSERT_EQ(v.size(), v.capacity());
    v.push_back(v[0]);  // the argument lives in the buffer that is about to be replaced
    v.push_back(v[4]);
    EXPECT_EQ(v[4], 0);
    EXPECT_EQ(v[5], 0);
}

TEST(Vec, PopBackReturnsTheLastElement) {
    test::Counters counters;
    ktl::Vec<test::Tracked> v;
    v.emplace_back(counters, 1);
    v.emplace_back(counters, 2);
    {
        test::Tracked last = v.pop_back();
        EXPECT_EQ(last.value(), 2);
        EXPECT_EQ(v.size(), 1u);
    }
    EXPECT_EQ(counters.alive(), 1);
}

TEST(Vec, SwapRemoveMovesTheLastElementIntoTheGap) {
    ktl::Vec<int> v{10, 20, 30, 40};
    EXPECT_EQ(v.swap_remove(1), 20);
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0], 10);
    EXPECT_EQ(v[1], 40);
    EXPECT_EQ(v[2], 30);
    EXPECT_EQ(v.swap_remove(2), 30);  // the last one: nothing to move
    EXPECT_EQ(v.size(), 2u);
}

TEST(Vec, SwapRemoveDestroysTheRightObjects) {
    test::Counters counters;
    {
        ktl::Vec<test::Tracked> v;
        v.reserve(3);
        for (int i = 0; i < 3; ++i) v.emplace_back(counters, i);
        const test::Tracked removed = v.swap_remove(0);
        EXPECT_EQ(removed.value(), 0);
        EXPECT_EQ(v[0].value(), 2);
        EXPECT_EQ(counters.alive(), 3);  // two in the Vec, one in `removed`
    }
    EXPECT_EQ(counters.alive(), 0);
}

TEST(Vec, ClearKeepsTheBuffer) {
    test::Counters counters;
    ktl::Vec<test::Tracked> v;
    for (int i = 0; i < 10; ++i) v.emplace_back(counters, i);
    const std::size_t capacity = v.capacity();
    v.clear();
    EXPECT_EQ(v.size(), 0u);
    EXPECT_EQ(v.capacity(), capacity);
    EXPECT_EQ(counters.alive(), 0);
}

TEST(Vec, ReserveAllocatesOnce) {
    ktl::Vec<int> v;
    v.reserve(100);
    const int* buffer = v.data();
    for (int i = 0; i < 100; ++i) v.push_back(i);
    EXPECT_EQ(v.data(), buffer);
    v.reserve(10);  // never shrinks
    EXPECT_EQ(v.capacity(), 100u);
}

TEST(Vec, MoveAndExplicitClone) {
    ktl::Vec<int> a{1, 2, 3};
    ktl::Vec<int> b = std::move(a);
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): documented empty
    EXPECT_EQ(b.size(), 3u);
    ktl::Vec<int> c = b.clone();
    c[0] = 100;
    EXPECT_EQ(b[0], 1);
    EXPECT_EQ(c[0], 100);
    a = std::move(c);
    EXPECT_EQ(a[0], 100);
}

TEST(Vec, HoldsMoveOnlyElements) {
    ktl::Vec<ktl::Box<int>> boxes;
    for (int i = 0; i < 20; ++i) boxes.push_back(ktl::make_box<int>(i));
    int sum = 0;
    for (const auto& box : boxes) sum += *box;
    EXPECT_EQ(sum, 190);
    ktl::Box<int> last = boxes.pop_back();
    EXPECT_EQ(*last, 19);
}

struct alignas(64) Wide {
    unsigned char bytes[64];
};

TEST(Vec, OverAlignedElementsAreAligned) {
    ktl::Vec<Wide> v;
    for (int i = 0; i < 10; ++i) v.push_back(Wide{});
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(v.data()) % 64, 0u);
}

TEST(VecDeathTest, IndexOutOfBoundsPanics) {
    ktl::Vec<int> v{1, 2, 3};
    EXPECT_DEATH((void)v[3], "Vec index 3 out of bounds \\(size 3\\)");
}

TEST(VecDeathTest, PopOnEmptyPanics) {
    ktl::Vec<int> v;
    EXPECT_DEATH((void)v.pop_back(), "pop_back on an empty Vec");
}

TEST(VecDeathTest, SwapRemoveOutOfBoundsPanics) {
    ktl::Vec<int> v{1};
    EXPECT_DEATH((void)v.swap_remove(1), "Vec index 1 out of bounds");
}

}  // namespace
