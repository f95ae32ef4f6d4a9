#include "allocator/fixed_size_block.h"

#include "allocator/align.h"
#include "panic.h"

#include <bit>
#include <new>

namespace allocator {

void FixedSizeBlockAllocator::init(std::uintptr_t heap_start, std::size_t heap_size) {
    fallback_.init(heap_start, heap_size);
}

std::optional<std::size_t> FixedSizeBlockAllocator::size_class(std::size_t size,
                                                               std::size_t align) {
    // The block's size is also its alignment, so the block must be at least as big as both.
    const std::size_t needed = size > align ? size : align;
    if (needed > BLOCK_SIZES.back()) return std::nullopt;
    if (needed <= BLOCK_SIZES.front()) return 0;
    // The Rust series searches BLOCK_SIZES for the first size >= needed. Because the sizes are
    // 8 << i, the index can be computed instead: the smallest power of two >= needed is
    // 2^bit_width(needed - 1), and 8 = 2^3 sits at index 0. (A search costs a few nanoseconds
    // per size class on every allocate and every free; see the benchmark.)
    return static_cast<std::size_t>(std::bit_width(needed - 1) -
                                    std::bit_width(BLOCK_SIZES.front() - 1));
}

void* FixedSizeBlockAllocator::allocate(std::size_t size, std::size_t align) {
    // LAB(fixed-size-block): pop a block of the size class, or ask the fallback
    // STUB: (void)size, (void)align;
    // STUB: panic("lab fixed-size-block: not written yet");
    if (!is_power_of_two(align)) return nullptr;
    const auto index = size_class(size, align);
    if (!index) return fallback_.allocate(size, align);

    FreeBlock* block = heads_[*index];
    if (block == nullptr) return allocate_new_block(*index);
    heads_[*index] = block->next;
    return block;
    // END LAB(fixed-size-block)
}

// The list for this size is empty: cut a new block from the fallback.
void* FixedSizeBlockAllocator::allocate_new_block(std::size_t size_class) {
    const std::size_t block_size = BLOCK_SIZES[size_class];
    // The fallback hands out nothing smaller than its own node (16 bytes). An 8-byte block
    // therefore comes with a twin, which goes onto the free list instead of being wasted.
    const std::size_t chunk = block_size > LinkedListAllocator::MIN_BLOCK_SIZE
                                  ? block_size
                                  : LinkedListAllocator::MIN_BLOCK_SIZE;
    void* memory = fallback_.allocate(chunk, block_size);
    if (memory == nullptr) return nullptr;
    const auto start = reinterpret_cast<std::uintptr_t>(memory);
    for (std::size_t offset = block_size; offset < chunk; offset += block_size) {
        push(size_class, start + offset);
    }
    return memory;
}

void FixedSizeBlockAllocator::push(std::size_t size_class, std::uintptr_t block) {
    heads_[size_class] = ::new (reinterpret_cast<void*>(block)) FreeBlock{heads_[size_class]};
}

void FixedSizeBlockAllocator::deallocate(void* ptr, std::size_t size, std::size_t align) {
    // LAB(fixed-size-block): check the block, push it onto its size class's list
    // STUB: (void)ptr, (void)size, (void)align;
    // STUB: panic("lab fixed-size-block: not written yet");
    const auto index = size_class(size, align);
    if (!index || !is_power_of_two(align)) {
        fallback_.deallocate(ptr, size, align);  // the fallback's own checks apply
        return;
    }
    const std::size_t block_size = BLOCK_SIZES[*index];
    const auto address = reinterpret_cast<std::uintptr_t>(ptr);
    if (address < fallback_.heap_start() || address >= fallback_.heap_end() ||
        fallback_.heap_end() - address < block_size) {
        panic("deallocate({}, {}, {}): block is not inside the heap {:#x}..{:#x}", ptr, size, align,
              fallback_.heap_start(), fallback_.heap_end());
    }
    if (!is_aligned(address, block_size)) {
        panic("deallocate({}, {}, {}): not a {}-byte block (wrong size or pointer?)", ptr, size,
              align, block_size);
    }
    if (heads_[*index] == ptr) panic("deallocate({}, {}, {}): double free", ptr, size, align);
    push(*index, address);
    // END LAB(fixed-size-block)
}

Integrity FixedSizeBlockAllocator::check_integrity() const {
    const std::uintptr_t heap_start = fallback_.heap_start();
    const std::uintptr_t heap_end = fallback_.heap_end();
    std::array<const FreeBlock*, BLOCK_SIZES.size()> last_blocks{};

    for (std::size_t i = 0; i < BLOCK_SIZES.size(); ++i) {
        const std::size_t block_size = BLOCK_SIZES[i];
        // Distinct blocks of this size cannot outnumber this; a longer walk is in a cycle.
        const std::size_t max_blocks = fallback_.heap_size() / block_size;
        std::size_t count = 0;
        for (const FreeBlock* block = heads_[i]; block != nullptr; block = block->next) {
            const auto address = reinterpret_cast<std::uintptr_t>(block);
            if (++count > max_blocks) {
                return Integrity::broken("free block list has a cycle", address);
            }
            if (address < heap_start || address >= heap_end || heap_end - address < block_size) {
                return Integrity::broken("free block outside the heap", address);
            }
            if (!is_aligned(address, block_size)) {
                return Integrity::broken("free block not aligned to its size", address);
            }
            last_blocks[i] = block;
        }
    }

    // Two singly linked lists that share a block share everything after it, their last block
    // included. So comparing the last blocks finds any block that sits in two lists.
    for (std::size_t i = 0; i < BLOCK_SIZES.size(); ++i) {
        for (std::size_t j = i + 1; j < BLOCK_SIZES.size(); ++j) {
            if (last_blocks[i] != nullptr && last_blocks[i] == last_blocks[j]) {
                return Integrity::broken("a free block is in two lists",
                                         reinterpret_cast<std::uintptr_t>(last_blocks[i]));
            }
        }
    }
    return fallback_.check_integrity();
}

std::size_t FixedSizeBlockAllocator::free_blocks(std::size_t size_class) const {
    std::size_t count = 0;
    for (const FreeBlock* block = heads_[size_class]; block != nullptr; block = block->next) {
        ++count;
    }
    return count;
}

std::size_t FixedSizeBlockAllocator::free_bytes() const {
    std::size_t total = fallback_.free_bytes();
    for (std::size_t i = 0; i < BLOCK_SIZES.size(); ++i) total += free_blocks(i) * BLOCK_SIZES[i];
    return total;
}

}  // namespace allocator
