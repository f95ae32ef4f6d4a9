// A first-fit allocator over a list of free regions (the Rust series' LinkedListAllocator, in
// "Allocator Designs").
//
// The free regions of the heap form a singly linked list, and the list needs no memory of its
// own: the first 16 bytes of every free region hold its node, {size, next}. Allocating walks the
// list and takes the first region the request fits in (first fit), splitting off what is left;
// freeing writes a node into the freed block and links it back in.
//
// Two things go beyond the Rust series:
//   - The list is kept sorted by address, and a freed block is merged with the free regions
//     right before and after it. Without merging, a heap cut into small pieces stays in small
//     pieces forever, and a large request fails although all the memory is free.
//   - Bytes skipped to reach an alignment are kept as a free region of their own (if a node fits
//     in them) instead of being lost until the end of time.
//
// The allocator does not lock: the kernel wraps it in its Spinlock (one owner at a time).
#pragma once

#include "allocator/integrity.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace allocator {

class LinkedListAllocator {
    // The bookkeeping of one free region, stored in the region's first bytes.
    struct FreeRegion {
        std::size_t size;  // in bytes, this node included
        FreeRegion* next;  // the next free region at a higher address, or nullptr
    };

public:
    // Every block must be able to hold a node once it is freed: blocks are at least this big
    // and aligned at least this much (the Rust series' size_align).
    static constexpr std::size_t MIN_BLOCK_SIZE = sizeof(FreeRegion);
    static constexpr std::size_t MIN_ALIGN = alignof(FreeRegion);

    // What allocate really reserves for a request of (size, align).
    struct Layout {
        std::size_t size;
        std::size_t align;
    };

    // An empty allocator: allocate returns nullptr until init gives it a heap. constexpr, so a
    // global allocator is initialised at compile time (constinit), before any code runs.
    constexpr LinkedListAllocator() = default;

    // Copying would give two allocators the same free memory. Moving hands the heap over and
    // leaves the source empty.
    LinkedListAllocator(const LinkedListAllocator&) = delete;
    LinkedListAllocator& operator=(const LinkedListAllocator&) = delete;
    constexpr LinkedListAllocator(LinkedListAllocator&& other) noexcept
        : head_(other.head_),
          heap_start_(other.heap_start_),
          heap_end_(other.heap_end_),
          initialized_(other.initialized_) {
        other.head_ = nullptr;
        other.heap_start_ = other.heap_end_ = 0;
        other.initialized_ = false;
    }
    LinkedListAllocator& operator=(LinkedListAllocator&&) = delete;

    // Gives the allocator the memory [heap_start, heap_start + heap_size). The start is rounded
    // up and the end down to MIN_ALIGN; heap_start()/heap_end() tell what remains.
    // Precondition: the memory is mapped, writable and used by nothing else, now or later.
    // Must be called once (a second call panics).
    void init(std::uintptr_t heap_start, std::size_t heap_size);

    // A block of at least `size` bytes aligned to `align`, or nullptr if no free region has room
    // (or align is not a power of two, or the size overflows). size 0 is allowed and yields a
    // block of its own, as operator new(0) must.
    [[nodiscard]] void* allocate(std::size_t size, std::size_t align);

    // Returns a block to the free list, merging it with free neighbours.
    // Precondition: ptr came from allocate(size, align) of this allocator with the same size and
    // align, and was not freed since. A pointer outside the heap, or a block overlapping free
    // memory (a double free), panics.
    void deallocate(void* ptr, std::size_t size, std::size_t align);

    // Walks the free list and checks: sorted by address, no overlaps, no adjacent regions left
    // unmerged, every region inside the heap, node-aligned, at least a node big, and no cycle.
    [[nodiscard]] Integrity check_integrity() const;

    [[nodiscard]] std::size_t free_bytes() const;
    [[nodiscard]] std::size_t free_regions() const;
    [[nodiscard]] std::uintptr_t heap_start() const { return heap_start_; }
    [[nodiscard]] std::uintptr_t heap_end() const { return heap_end_; }
    [[nodiscard]] std::size_t heap_size() const { return heap_end_ - heap_start_; }

    // Rounds a request the way allocate does: at least MIN_BLOCK_SIZE bytes, a multiple of
    // MIN_ALIGN (so the bytes after the block start node-aligned), aligned to at least
    // MIN_ALIGN. nullopt if align is not a power of two or the rounding overflows.
    [[nodiscard]] static std::optional<Layout> size_align(std::size_t size, std::size_t align);

private:
    // Where a block goes inside a free region.
    struct Placement {
        std::uintptr_t start;
        std::uintptr_t end;
    };

    [[nodiscard]] static std::optional<Placement> place_in(const FreeRegion& region, Layout layout);
    void insert_free_region(std::uintptr_t start, std::size_t size);

    FreeRegion* head_ = nullptr;  // the free region with the lowest address
    std::uintptr_t heap_start_ = 0;
    std::uintptr_t heap_end_ = 0;
    bool initialized_ = false;
};

}  // namespace allocator
