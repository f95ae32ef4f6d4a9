// The kernel heap: a fixed region of virtual memory, mapped page by page at boot, handed to an
// allocator, and behind every global operator new and operator delete.
#pragma once

#include "allocator/integrity.h"
#include "memory/frame_allocator.h"
#include "memory/mapper.h"
#include "result.h"

#include <cstddef>
#include <cstdint>

namespace allocator {

inline constexpr memory::VirtAddr HEAP_START{0x4444'4444'0000};
inline constexpr std::size_t HEAP_SIZE = 100 * 1024;

// Maps the heap's pages (writable, not executable) to fresh frames and gives the memory to the
// allocator. Returns the number of bytes mapped, or why a page could not be mapped.
// Must be called once, after memory::init.
Result<std::size_t, memory::MapToError> init_heap(memory::OffsetPageTable& mapper,
                                                  memory::FrameAllocator& frame_allocator);

// The kernel's heap, as every kernel sets it up: init_heap with memory::mapper() and
// memory::frame_allocator(), and a panic that names the reason if a page cannot be mapped.
// Must be called once, after memory::init.
void init_kernel_heap();

// Fallible allocation: nullptr when the heap cannot satisfy the request. (Plain `new` never
// returns null: it panics with the size. The language says it never returns null, so the
// compilers delete a null check after it anyway; book chapter 10, "Why plain `new` must panic".)
[[nodiscard]] void* try_allocate(std::size_t size, std::size_t align);
// Precondition: pointer came from try_allocate or a global operator new, and was not freed.
void deallocate(void* pointer);

// The heap allocator's own check of its bookkeeping (tests call it after each step).
Integrity check_integrity();
std::size_t free_bytes();
// Which allocator design this kernel was built with.
const char* name();

}  // namespace allocator
