// Host tests of the address arithmetic (src/allocator/align.h). The header's static_asserts
// cover the edge cases at compile time; these check the defining properties over many values.

#include "allocator/align.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>

using namespace allocator;

namespace {

TEST(AlignUp, IsTheSmallestAlignedValueNotBelow) {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 100000; ++i) {
        const std::uintptr_t value = rng() >> (rng() % 64);
        const std::size_t align = std::size_t{1} << (rng() % 20);
        const auto up = align_up(value, align);
        if (!up) {
            EXPECT_GT(value, std::numeric_limits<std::uintptr_t>::max() - (align - 1));
            continue;
        }
        EXPECT_TRUE(is_aligned(*up, align));
        EXPECT_GE(*up, value);
        EXPECT_LT(*up - value, align);
        EXPECT_EQ(align_down(*up, align), *up);
        EXPECT_LE(align_down(value, align), value);
    }
}

TEST(CheckedAdd, FailsExactlyOnOverflow) {
    constexpr std::uintptr_t MAX = std::numeric_limits<std::uintptr_t>::max();
    EXPECT_EQ(checked_add(MAX - 5, 5), MAX);
    EXPECT_EQ(checked_add(MAX - 5, 6), std::nullopt);
    EXPECT_EQ(checked_add(0, MAX), MAX);
}

}  // namespace
