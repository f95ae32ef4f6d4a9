#include "allocator/bump.h"

#include "allocator/align.h"
#include "panic.h"

namespace allocator {

void BumpAllocator::init(std::uintptr_t heap_start, std::size_t heap_size) {
    if (initialized_) panic("BumpAllocator::init called twice");
    const auto end = checked_add(heap_start, heap_size);
    if (!end) panic("heap {:#x} + {} bytes wraps around the address space", heap_start, heap_size);
    initialized_ = true;
    heap_start_ = heap_start;
    heap_end_ = *end;
    next_ = heap_start;
}

void* BumpAllocator::allocate(std::size_t size, std::size_t align) {
    // LAB(bump-allocator): hand out the next aligned bytes; none when the heap is used up
    // STUB: (void)size, (void)align;
    // STUB: panic("lab bump-allocator: not written yet");
    if (!is_power_of_two(align)) return nullptr;
    // Both steps are checked: near the top of the address space, rounding up or adding the
    // size would wrap around to a small address and the comparison with heap_end would pass.
    const auto start = align_up(next_, align);
    if (!start) return nullptr;
    const auto end = checked_add(*start, size == 0 ? 1 : size);
    if (!end || *end > heap_end_) return nullptr;
    next_ = *end;
    ++allocations_;
    return reinterpret_cast<void*>(*start);
    // END LAB(bump-allocator)
}

void BumpAllocator::deallocate(void* ptr, std::size_t size, std::size_t align) {
    // LAB(bump-allocator): check the block; reset the heap when the last one is freed
    // STUB: (void)ptr, (void)size, (void)align;
    // STUB: panic("lab bump-allocator: not written yet");
    const auto address = reinterpret_cast<std::uintptr_t>(ptr);
    if (address < heap_start_ || address >= next_) {
        panic("deallocate({}, {}, {}): not an allocated block of the bump heap {:#x}..{:#x}", ptr,
              size, align, heap_start_, next_);
    }
    if (allocations_ == 0) {
        panic("deallocate({}, {}, {}): more frees than allocations", ptr, size, align);
    }
    // The freed bytes themselves cannot be reused: other blocks may lie above them. Only when
    // the last block is gone is everything below next unused.
    if (--allocations_ == 0) next_ = heap_start_;
    // END LAB(bump-allocator)
}

Integrity BumpAllocator::check_integrity() const {
    if (next_ < heap_start_ || next_ > heap_end_) {
        return Integrity::broken("next outside the heap", next_);
    }
    if (allocations_ == 0 && next_ != heap_start_) {
        return Integrity::broken("no live allocations, but next was not reset to the heap start",
                                 next_);
    }
    if (allocations_ > next_ - heap_start_) {
        return Integrity::broken("more live allocations than bytes handed out", next_);
    }
    return Integrity::holds();
}

}  // namespace allocator
