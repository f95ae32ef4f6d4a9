// An allocator with one free list per block size (the Rust series' FixedSizeBlockAllocator, in
// "Allocator Designs").
//
// Requests are rounded up to one of a few block sizes, 8, 16, ..., 2048 bytes. Each size has a
// list of free blocks of exactly that size, linked through the blocks themselves. Allocating
// pops the first block of the list, freeing pushes the block back: no search, a few instructions
// either way. That is why this is the kernel's default allocator.
//
// Blocks come from a LinkedListAllocator, the fallback: when a list is empty, a new block is cut
// from the fallback; requests larger than 2048 bytes, or aligned to more than that, go to the
// fallback directly. Freed blocks stay in their list and are never given back to the fallback,
// so memory once used for 16-byte blocks serves only 16-byte blocks afterwards.
//
// The allocator does not lock: the kernel wraps it in its Spinlock (one owner at a time).
#pragma once

#include "allocator/integrity.h"
#include "allocator/linked_list.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

namespace allocator {

class FixedSizeBlockAllocator {
    // A free block's bookkeeping, stored in the block itself.
    struct FreeBlock {
        FreeBlock* next;
    };

public:
    // The block sizes. Each is a power of two and also the block's alignment, so a block of
    // size s serves any request with size <= s and align <= s. The smallest must hold a
    // FreeBlock.
    static constexpr std::array<std::size_t, 9> BLOCK_SIZES{8,   16,  32,   64,  128,
                                                            256, 512, 1024, 2048};
    static_assert(BLOCK_SIZES[0] >= sizeof(FreeBlock) && BLOCK_SIZES[0] >= alignof(FreeBlock));
    static_assert(
        [] {
            for (std::size_t i = 0; i < BLOCK_SIZES.size(); ++i) {
                if (BLOCK_SIZES[i] != BLOCK_SIZES[0] << i) return false;
            }
            return true;
        }(),
        "size_class computes the index from the size: each block size must double the previous "
        "one");

    // An empty allocator: allocate returns nullptr until init gives it a heap.
    constexpr FixedSizeBlockAllocator() = default;

    // Copying would give two allocators the same memory; moving leaves the source empty.
    FixedSizeBlockAllocator(const FixedSizeBlockAllocator&) = delete;
    FixedSizeBlockAllocator& operator=(const FixedSizeBlockAllocator&) = delete;
    constexpr FixedSizeBlockAllocator(FixedSizeBlockAllocator&& other) noexcept
        : heads_(other.heads_), fallback_(std::move(other.fallback_)) {
        other.heads_ = {};
    }
    FixedSizeBlockAllocator& operator=(FixedSizeBlockAllocator&&) = delete;

    // Gives the memory [heap_start, heap_start + heap_size) to the fallback allocator.
    // Precondition: the memory is mapped, writable and used by nothing else, now or later.
    // Must be called once (a second call panics).
    void init(std::uintptr_t heap_start, std::size_t heap_size);

    // A block for (size, align), or nullptr when the heap is exhausted (or align is not a power
    // of two, or the size overflows).
    [[nodiscard]] void* allocate(std::size_t size, std::size_t align);

    // Puts a block back on the list for its size, or returns a large one to the fallback.
    // Precondition: ptr came from allocate(size, align) of this allocator with the same size and
    // align, and was not freed since. A pointer outside the heap, or not aligned to its block
    // size, panics; so does freeing the block that is already first in its list.
    void deallocate(void* ptr, std::size_t size, std::size_t align);

    // Checks every free list (blocks inside the heap and aligned to their size, no cycle, no
    // block in two lists) and then the fallback. Not checked: whether a listed block overlaps
    // memory the fallback considers free (that would cost a walk of one list per block).
    [[nodiscard]] Integrity check_integrity() const;

    // The index into BLOCK_SIZES of the block that serves (size, align), or nullopt if the
    // request goes to the fallback.
    [[nodiscard]] static std::optional<std::size_t> size_class(std::size_t size, std::size_t align);

    // Free memory: the fallback's plus all the blocks waiting in the lists.
    [[nodiscard]] std::size_t free_bytes() const;
    // The number of free blocks in the list of BLOCK_SIZES[size_class].
    [[nodiscard]] std::size_t free_blocks(std::size_t size_class) const;
    [[nodiscard]] const LinkedListAllocator& fallback() const { return fallback_; }

private:
    [[nodiscard]] void* allocate_new_block(std::size_t size_class);
    void push(std::size_t size_class, std::uintptr_t block);

    std::array<FreeBlock*, BLOCK_SIZES.size()> heads_{};  // one list per block size
    LinkedListAllocator fallback_;
};

}  // namespace allocator
