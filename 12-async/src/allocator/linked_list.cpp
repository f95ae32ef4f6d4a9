#include "allocator/linked_list.h"

#include "allocator/align.h"
#include "panic.h"

#include <new>

namespace allocator {

namespace {

// The list's nodes live at plain addresses inside the heap; these helpers keep the casts in one
// place. Region ends cannot overflow: every region lies inside the heap, whose end init checked.
template <typename Region>
std::uintptr_t address_of(const Region* region) {
    return reinterpret_cast<std::uintptr_t>(region);
}

template <typename Region>
std::uintptr_t end_of(const Region* region) {
    return address_of(region) + region->size;
}

constexpr std::size_t max(std::size_t a, std::size_t b) { return a > b ? a : b; }

}  // namespace

void LinkedListAllocator::init(std::uintptr_t heap_start, std::size_t heap_size) {
    if (initialized_) panic("LinkedListAllocator::init called twice");
    const auto end = checked_add(heap_start, heap_size);
    if (!end) panic("heap {:#x} + {} bytes wraps around the address space", heap_start, heap_size);
    initialized_ = true;

    // Nodes must be aligned, so the heap is trimmed to node alignment at both ends.
    const auto start = align_up(heap_start, MIN_ALIGN);
    const std::uintptr_t aligned_end = align_down(*end, MIN_ALIGN);
    if (!start || aligned_end < *start || aligned_end - *start < MIN_BLOCK_SIZE) {
        heap_start_ = heap_end_ = aligned_end;  // too small to hold even one node: empty heap
        return;
    }
    heap_start_ = *start;
    heap_end_ = aligned_end;
    head_ =
        ::new (reinterpret_cast<void*>(heap_start_)) FreeRegion{heap_end_ - heap_start_, nullptr};
}

std::optional<LinkedListAllocator::Layout> LinkedListAllocator::size_align(std::size_t size,
                                                                           std::size_t align) {
    if (!is_power_of_two(align)) return std::nullopt;
    // Unlike the Rust series we do not pad the size to the request's own alignment (a 16-byte
    // block aligned to 4096 would take 4096 bytes): padding to MIN_ALIGN is enough for the
    // memory after the block to start node-aligned.
    const auto padded = align_up(max(size, MIN_BLOCK_SIZE), MIN_ALIGN);
    if (!padded) return std::nullopt;
    return Layout{*padded, max(align, MIN_ALIGN)};
}

// Where a block of `layout` fits in `region`, or nullopt. The bytes before the block (skipped to
// reach the alignment) and after it stay free, so each of them must be either empty or big
// enough for a node of its own.
std::optional<LinkedListAllocator::Placement> LinkedListAllocator::place_in(
    const FreeRegion& region, Layout layout) {
    const std::uintptr_t region_start = address_of(&region);
    const std::uintptr_t region_end = end_of(&region);

    auto start = align_up(region_start, layout.align);
    if (!start) return std::nullopt;
    if (*start != region_start && *start - region_start < MIN_BLOCK_SIZE) {
        // The gap in front cannot hold a node: take the next aligned address that leaves room.
        start = align_up(region_start + MIN_BLOCK_SIZE, layout.align);
        if (!start) return std::nullopt;
    }
    const auto end = checked_add(*start, layout.size);
    if (!end || *end > region_end) return std::nullopt;
    const std::size_t rest = region_end - *end;
    if (rest != 0 && rest < MIN_BLOCK_SIZE) return std::nullopt;
    return Placement{*start, *end};
}

void* LinkedListAllocator::allocate(std::size_t size, std::size_t align) {
    const auto layout = size_align(size, align);
    if (!layout) return nullptr;

    // `link` points at the pointer that leads to `region` (head_ or the previous node's next),
    // so unlinking a region is one assignment, whether it is the first region or not. The Rust
    // series gets the same effect with a dummy head node.
    for (FreeRegion** link = &head_; *link != nullptr; link = &(*link)->next) {
        FreeRegion* region = *link;
        const auto placement = place_in(*region, *layout);
        if (!placement) continue;

        // Cut the block out of the region: what follows it becomes a region of its own, what
        // precedes it stays where it is (the region's node just gets smaller). The list stays
        // sorted, and the pieces cannot touch anything: the block lies between them.
        const std::uintptr_t region_start = address_of(region);
        const std::uintptr_t region_end = end_of(region);
        FreeRegion* next = region->next;
        if (placement->end != region_end) {
            next = ::new (reinterpret_cast<void*>(placement->end))
                FreeRegion{region_end - placement->end, next};
        }
        if (placement->start != region_start) {
            region->size = placement->start - region_start;
            region->next = next;
        } else {
            *link = next;
        }
        return reinterpret_cast<void*>(placement->start);
    }
    return nullptr;
}

void LinkedListAllocator::deallocate(void* ptr, std::size_t size, std::size_t align) {
    const auto layout = size_align(size, align);
    if (!layout) {
        panic("deallocate({}, {}, {}): no allocation has this size and alignment", ptr, size,
              align);
    }
    const auto start = reinterpret_cast<std::uintptr_t>(ptr);
    const auto end = checked_add(start, layout->size);
    if (start < heap_start_ || !end || *end > heap_end_) {
        panic("deallocate({}, {}, {}): block is not inside the heap {:#x}..{:#x}", ptr, size, align,
              heap_start_, heap_end_);
    }
    if (!is_aligned(start, layout->align)) {
        panic("deallocate({}, {}, {}): pointer is not aligned as allocate returned it", ptr, size,
              align);
    }
    insert_free_region(start, layout->size);
}

// Links [start, start + size) into the sorted list and merges it with the regions that end
// right where it starts and start right where it ends.
void LinkedListAllocator::insert_free_region(std::uintptr_t start, std::size_t size) {
    const std::uintptr_t end = start + size;

    // Find the neighbours: `previous` is the last region below start, *link the first one at or
    // above it.
    FreeRegion* previous = nullptr;
    FreeRegion** link = &head_;
    while (*link != nullptr && address_of(*link) < start) {
        previous = *link;
        link = &(*link)->next;
    }
    FreeRegion* next = *link;

    // A block that overlaps free memory was never allocated, or is being freed twice.
    if (previous != nullptr && end_of(previous) > start) {
        panic("deallocate: block {:#x}..{:#x} overlaps free region {:#x}..{:#x} (double free?)",
              start, end, address_of(previous), end_of(previous));
    }
    if (next != nullptr && end > address_of(next)) {
        panic("deallocate: block {:#x}..{:#x} overlaps free region {:#x}..{:#x} (double free?)",
              start, end, address_of(next), end_of(next));
    }

    const bool joins_previous = previous != nullptr && end_of(previous) == start;
    const bool joins_next = next != nullptr && end == address_of(next);
    if (joins_previous) {
        previous->size += size;
        if (joins_next) {  // the block filled the gap between two regions: all three are one now
            previous->size += next->size;
            previous->next = next->next;
        }
    } else if (joins_next) {
        // The merged region starts at the block: its node moves down to the block's start.
        *link = ::new (reinterpret_cast<void*>(start)) FreeRegion{size + next->size, next->next};
    } else {
        *link = ::new (reinterpret_cast<void*>(start)) FreeRegion{size, next};
    }
}

Integrity LinkedListAllocator::check_integrity() const {
    // The regions are disjoint and each holds a node, so there cannot be more than this many;
    // a walk that goes on longer is going round a cycle.
    const std::size_t max_regions = heap_size() / MIN_BLOCK_SIZE;
    std::size_t count = 0;
    std::uintptr_t previous_start = 0;
    std::uintptr_t previous_end = 0;
    for (const FreeRegion* region = head_; region != nullptr; region = region->next) {
        const std::uintptr_t start = address_of(region);
        if (++count > max_regions) {
            return Integrity::broken("free list longer than the heap allows: a cycle", start);
        }
        // Check that the node itself is inside the heap before reading it.
        if (start < heap_start_ || start >= heap_end_ || heap_end_ - start < MIN_BLOCK_SIZE) {
            return Integrity::broken("free region outside the heap", start);
        }
        if (!is_aligned(start, MIN_ALIGN)) {
            return Integrity::broken("free region not aligned for a node", start);
        }
        if (region->size < MIN_BLOCK_SIZE) {
            return Integrity::broken("free region smaller than a node", start);
        }
        if (!is_aligned(region->size, MIN_ALIGN)) {
            return Integrity::broken("free region size not a multiple of the node alignment",
                                     start);
        }
        if (region->size > heap_end_ - start) {
            return Integrity::broken("free region runs past the heap end", start);
        }
        if (count > 1) {
            if (start <= previous_start) {
                return Integrity::broken("free list not sorted by address", start);
            }
            if (start < previous_end) return Integrity::broken("free regions overlap", start);
            if (start == previous_end) {
                return Integrity::broken("adjacent free regions not merged", start);
            }
        }
        previous_start = start;
        previous_end = end_of(region);
    }
    return Integrity::holds();
}

std::size_t LinkedListAllocator::free_bytes() const {
    std::size_t total = 0;
    for (const FreeRegion* region = head_; region != nullptr; region = region->next) {
        total += region->size;
    }
    return total;
}

std::size_t LinkedListAllocator::free_regions() const {
    std::size_t count = 0;
    for (const FreeRegion* region = head_; region != nullptr; region = region->next) ++count;
    return count;
}

}  // namespace allocator
