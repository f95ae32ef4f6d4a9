// Address arithmetic for allocators: rounding up to an alignment and adding sizes to addresses,
// both checked for overflow.
//
// An allocator computes addresses from numbers its callers hand it. A request for almost 2^64
// bytes must fail cleanly, not wrap around to a small number and hand out memory that is in use.
// So every function here returns std::nullopt instead of a wrapped-around result. (The Rust
// series makes the same point with checked_add in its bump and linked list allocators.)
//
// Alignments are powers of two: then the multiples of `align` are exactly the numbers whose low
// log2(align) bits are zero, and rounding is a mask instead of a division.
//
// Use `*result` after checking, never `result.value()`: value() may throw, and a kernel built
// with -fno-exceptions has no std::__throw_bad_optional_access to call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>

namespace allocator {

[[nodiscard]] constexpr bool is_power_of_two(std::size_t value) {
    return value != 0 && (value & (value - 1)) == 0;
}

// Precondition: align is a power of two.
[[nodiscard]] constexpr bool is_aligned(std::uintptr_t address, std::size_t align) {
    return (address & (align - 1)) == 0;
}

// address + size, or nullopt if the sum does not fit in an address.
[[nodiscard]] constexpr std::optional<std::uintptr_t> checked_add(std::uintptr_t address,
                                                                  std::size_t size) {
    std::uintptr_t sum = 0;
    if (__builtin_add_overflow(address, size, &sum)) return std::nullopt;
    return sum;
}

// a * b for sizes (a Vec's capacity times its element size), or nullopt on overflow.
[[nodiscard]] constexpr std::optional<std::size_t> checked_mul(std::size_t a, std::size_t b) {
    std::size_t product = 0;
    if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
    return product;
}

// The smallest multiple of `align` that is >= address, or nullopt if it does not fit.
// Precondition: align is a power of two.
//
// Adding align - 1 carries into the bit of `align` unless the low bits are already zero; the
// mask then clears the low bits. Example: align_up(0x1001, 0x1000) = 0x2000 & ~0xfff = 0x2000.
[[nodiscard]] constexpr std::optional<std::uintptr_t> align_up(std::uintptr_t address,
                                                               std::size_t align) {
    const auto bumped = checked_add(address, align - 1);
    if (!bumped) return std::nullopt;
    return *bumped & ~static_cast<std::uintptr_t>(align - 1);
}

// The largest multiple of `align` that is <= address. Never overflows.
// Precondition: align is a power of two.
[[nodiscard]] constexpr std::uintptr_t align_down(std::uintptr_t address, std::size_t align) {
    return address & ~static_cast<std::uintptr_t>(align - 1);
}

// --- compile-time tests ------------------------------------------------------------------------
namespace align_tests {
constexpr std::uintptr_t MAX = std::numeric_limits<std::uintptr_t>::max();

static_assert(is_power_of_two(1) && is_power_of_two(2) && is_power_of_two(4096));
static_assert(!is_power_of_two(0) && !is_power_of_two(3) && !is_power_of_two(4097));
static_assert(is_power_of_two(std::size_t{1} << 63));

static_assert(is_aligned(0, 8) && is_aligned(0x1000, 4096) && !is_aligned(0x1008, 16));
static_assert(is_aligned(7, 1));

static_assert(align_up(0, 8) == 0u);
static_assert(align_up(1, 8) == 8u);
static_assert(align_up(8, 8) == 8u);
static_assert(align_up(9, 8) == 16u);
static_assert(align_up(0x1001, 0x1000) == 0x2000u);
static_assert(align_up(12345, 1) == 12345u);
static_assert(align_up(MAX, 1) == MAX);
static_assert(align_up(MAX - 15, 16) == MAX - 15);  // already aligned: no overflow
static_assert(align_up(MAX - 14, 16) == std::nullopt);
static_assert(align_up(MAX, 2) == std::nullopt);

static_assert(align_down(0x1fff, 0x1000) == 0x1000u);
static_assert(align_down(0x2000, 0x1000) == 0x2000u);
static_assert(align_down(MAX, 16) == MAX - 15);

static_assert(checked_add(1, 2) == 3u);
static_assert(checked_add(MAX, 0) == MAX);
static_assert(checked_add(MAX, 1) == std::nullopt);
static_assert(checked_add(MAX - 10, 11) == std::nullopt);

static_assert(checked_mul(1000, 8) == 8000u);
static_assert(checked_mul(MAX, 0) == 0u);
static_assert(checked_mul(MAX / 2 + 1, 2) == std::nullopt);
}  // namespace align_tests

}  // namespace allocator
