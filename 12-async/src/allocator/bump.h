// The simplest allocator there is (the Rust series' BumpAllocator, in "Allocator Designs").
//
// The heap is used from bottom to top: `next` points at the first unused byte, and an
// allocation just moves ("bumps") it up. Freeing a single block gives nothing back; the
// allocator only counts the live allocations, and when the count drops to zero the whole heap
// is free again and `next` goes back to the start.
//
// That makes allocating a handful of instructions, and also the weakness the kernel tests show:
// one allocation that lives long keeps the count above zero, the heap is never reset, and a
// loop that allocates and frees runs out of memory (many_boxes_long_lived).
//
// The allocator does not lock: the kernel wraps it in its Spinlock (one owner at a time).
#pragma once

#include "allocator/integrity.h"

#include <cstddef>
#include <cstdint>

namespace allocator {

class BumpAllocator {
public:
    // An empty allocator: allocate returns nullptr until init gives it a heap.
    constexpr BumpAllocator() = default;

    // Copying would give two allocators the same memory; moving leaves the source empty.
    BumpAllocator(const BumpAllocator&) = delete;
    BumpAllocator& operator=(const BumpAllocator&) = delete;
    constexpr BumpAllocator(BumpAllocator&& other) noexcept
        : heap_start_(other.heap_start_),
          heap_end_(other.heap_end_),
          next_(other.next_),
          allocations_(other.allocations_),
          initialized_(other.initialized_) {
        other.heap_start_ = other.heap_end_ = other.next_ = 0;
        other.allocations_ = 0;
        other.initialized_ = false;
    }
    BumpAllocator& operator=(BumpAllocator&&) = delete;

    // Gives the allocator the memory [heap_start, heap_start + heap_size).
    // Precondition: the memory is mapped, writable and used by nothing else, now or later.
    // Must be called once (a second call panics).
    void init(std::uintptr_t heap_start, std::size_t heap_size);

    // `size` bytes aligned to `align` from the unused top of the heap, or nullptr if they do not
    // fit (or align is not a power of two, or the arithmetic would overflow). A request for 0
    // bytes takes 1, so that every allocation has an address of its own.
    [[nodiscard]] void* allocate(std::size_t size, std::size_t align);

    // Counts one allocation less; when none is left, the whole heap is free again.
    // Precondition: ptr came from allocate of this allocator and was not freed since.
    // A pointer outside the used part of the heap, or more frees than allocations, panics.
    void deallocate(void* ptr, std::size_t size, std::size_t align);

    // Checks: next within the heap, no live allocations implies next == heap start, and no
    // more live allocations than used bytes (each one took at least a byte).
    [[nodiscard]] Integrity check_integrity() const;

    [[nodiscard]] std::size_t allocations() const { return allocations_; }
    [[nodiscard]] std::size_t free_bytes() const { return heap_end_ - next_; }
    [[nodiscard]] std::uintptr_t heap_start() const { return heap_start_; }
    [[nodiscard]] std::uintptr_t heap_end() const { return heap_end_; }
    [[nodiscard]] std::uintptr_t next() const { return next_; }

private:
    std::uintptr_t heap_start_ = 0;
    std::uintptr_t heap_end_ = 0;
    std::uintptr_t next_ = 0;  // the first byte no live allocation can be using
    std::size_t allocations_ = 0;
    bool initialized_ = false;
};

}  // namespace allocator
