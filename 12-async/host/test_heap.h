// Heap memory for host tests, and the bookkeeping a test keeps about the blocks it holds.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>

namespace test {

// Memory for an allocator to manage, aligned to a page so that the alignment of the addresses
// an allocator returns does not depend on where malloc put the buffer.
class TestHeap {
public:
    static constexpr std::size_t ALIGN = 4096;

    explicit TestHeap(std::size_t size)
        : size_(size),
          memory_(static_cast<std::byte*>(std::aligned_alloc(ALIGN, round_up(size)))) {}
    ~TestHeap() { std::free(memory_); }
    TestHeap(const TestHeap&) = delete;
    TestHeap& operator=(const TestHeap&) = delete;

    std::uintptr_t start() const { return reinterpret_cast<std::uintptr_t>(memory_); }
    std::uintptr_t end() const { return start() + size_; }
    std::size_t size() const { return size_; }

private:
    static std::size_t round_up(std::size_t size) { return (size + ALIGN - 1) / ALIGN * ALIGN; }
    std::size_t size_;
    std::byte* memory_;
};

// The blocks a test holds, by address. Adding a block checks that it is aligned, inside the
// heap, and overlaps no block already held; each block is filled with a tag byte that must be
// intact when it is released, so an allocator that writes into a live block is caught.
class LiveBlocks {
public:
    struct Block {
        std::size_t size;
        std::size_t align;
        unsigned char tag;
    };

    LiveBlocks(std::uintptr_t heap_start, std::uintptr_t heap_end)
        : heap_start_(heap_start), heap_end_(heap_end) {}

    // Returns false (and records a test failure) if the block breaks one of the rules.
    bool add(void* pointer, std::size_t size, std::size_t align) {
        const auto start = reinterpret_cast<std::uintptr_t>(pointer);
        const std::uintptr_t end = start + size;
        EXPECT_EQ(start % align, 0u) << "block " << pointer << " not aligned to " << align;
        EXPECT_TRUE(start >= heap_start_ && end <= heap_end_)
            << "block " << pointer << " outside the heap";
        auto next = blocks_.lower_bound(start);
        if (next != blocks_.end()) {
            EXPECT_GE(next->first, end)
                << "block " << pointer << "+" << size << " overlaps a live block";
        }
        if (next != blocks_.begin()) {
            const auto previous = std::prev(next);
            EXPECT_LE(previous->first + previous->second.size, start)
                << "block " << pointer << " overlaps a live block";
        }
        if (::testing::Test::HasFailure()) return false;
        const auto tag = static_cast<unsigned char>(next_tag_++ | 1);
        std::memset(pointer, tag, size);
        blocks_.emplace(start, Block{size, align, tag});
        return true;
    }

    // Forgets the block at `address` after checking its contents; returns what it was.
    Block remove(std::uintptr_t address) {
        const auto it = blocks_.find(address);
        EXPECT_NE(it, blocks_.end());
        const Block block = it->second;
        const auto* bytes = reinterpret_cast<const unsigned char*>(address);
        for (std::size_t i = 0; i < block.size; ++i) {
            if (bytes[i] != block.tag) {
                ADD_FAILURE() << "block " << reinterpret_cast<void*>(address)
                              << " was overwritten at offset " << i;
                break;
            }
        }
        blocks_.erase(it);
        return block;
    }

    const std::map<std::uintptr_t, Block>& blocks() const { return blocks_; }
    std::size_t count() const { return blocks_.size(); }
    bool empty() const { return blocks_.empty(); }

private:
    std::uintptr_t heap_start_;
    std::uintptr_t heap_end_;
    std::map<std::uintptr_t, Block> blocks_;
    unsigned next_tag_ = 0;
};

}  // namespace test
