// A seeded random sequence of allocations and frees, checked after every step.
//
// Sizes run from 1 to 4096 bytes (a quarter of them tiny, a quarter small), alignments are
// powers of two from 1 to 4096 (mostly small, as in real programs). Every block the allocator
// returns goes through LiveBlocks (aligned, inside the heap, no overlap, contents intact at
// free), and after every step the allocator's own integrity checker must pass, plus whatever
// extra check the test passes in (for example that no byte of the heap went missing).
#pragma once

#include "test_heap.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <random>

namespace test {

struct WorkloadStats {
    std::size_t allocations = 0;
    std::size_t failures = 0;  // allocate returned nullptr (heap exhausted)
    std::size_t frees = 0;
};

inline std::size_t random_size(std::mt19937_64& rng) {
    switch (rng() % 4) {
        case 0: return 1 + rng() % 16;
        case 1: return 1 + rng() % 256;
        default: return 1 + rng() % 4096;
    }
}

inline std::size_t random_align(std::mt19937_64& rng) {
    const unsigned r = static_cast<unsigned>(rng() % 16);
    const unsigned shift =
        r < 12 ? r % 5 : 5 + static_cast<unsigned>(rng() % 8);  // 1..16, or 32..4096
    return std::size_t{1} << shift;
}

template <typename Allocator>
void expect_integrity(const Allocator& allocator, const char* when, std::size_t step) {
    const auto integrity = allocator.check_integrity();
    ASSERT_TRUE(integrity.ok()) << integrity.reason() << " at 0x" << std::hex << integrity.address()
                                << std::dec << " (" << when << ", step " << step << ")";
}

// Frees one block the test holds.
template <typename Allocator>
void free_block(Allocator& allocator, LiveBlocks& live, std::uintptr_t address) {
    const LiveBlocks::Block block = live.remove(address);
    allocator.deallocate(reinterpret_cast<void*>(address), block.size, block.align);
}

template <typename Allocator>
void free_all(Allocator& allocator, LiveBlocks& live) {
    while (!live.empty()) {
        free_block(allocator, live, live.blocks().begin()->first);
        expect_integrity(allocator, "freeing everything", 0);
        if (::testing::Test::HasFatalFailure()) return;
    }
}

// Runs `steps` random steps; `extra_check(live)` runs after each one.
template <typename Allocator, typename ExtraCheck>
void run_random_workload(Allocator& allocator, LiveBlocks& live, std::uint64_t seed,
                         std::size_t steps, WorkloadStats& stats, ExtraCheck&& extra_check) {
    std::mt19937_64 rng(seed);
    for (std::size_t step = 0; step < steps; ++step) {
        if (live.empty() || rng() % 100 < 55) {
            const std::size_t size = random_size(rng);
            const std::size_t align = random_align(rng);
            void* pointer = allocator.allocate(size, align);
            if (pointer == nullptr) {
                ++stats.failures;
            } else {
                ++stats.allocations;
                ASSERT_TRUE(live.add(pointer, size, align)) << "step " << step;
            }
        } else {
            auto victim = live.blocks().begin();
            std::advance(victim, static_cast<std::ptrdiff_t>(rng() % live.count()));
            free_block(allocator, live, victim->first);
            ++stats.frees;
        }
        expect_integrity(allocator, "random workload", step);
        if (::testing::Test::HasFatalFailure()) return;
        extra_check(live);
        if (::testing::Test::HasFailure()) FAIL() << "extra check failed at step " << step;
    }
}

}  // namespace test
