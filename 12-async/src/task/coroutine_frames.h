// Where coroutine frames come from.
//
// A coroutine keeps its local variables and the point where it stopped in a frame, which the
// compiler allocates when the coroutine is called (the C++ counterpart of Rust's `Box::pin` of
// a future: Rust boxes the future explicitly, C++ does it behind the call). Left alone, the
// compiler would use plain `operator new`, which in the kernel panics when the heap is exhausted.
// The promise types in future.h/task.h declare their own operator new instead, which comes here
// and may return null; the compiler then hands the caller an empty Task or Future (see
// get_return_object_on_allocation_failure) that says how large the frame would have been.
//
// The allocator is a pair of function pointers so that host tests can install one that fails
// or counts, and test the failure path honestly: the production path runs the same code with
// the heap behind it.
#pragma once

#include <cstddef>

namespace task {

// How coroutine frames are allocated and freed. (Not to be confused with Chapter 9's
// memory::FrameAllocator, which hands out physical page frames.)
struct CoroutineFrameAllocator {
    // Returns memory for a frame of `size` bytes (aligned for any object, as operator new), or
    // nullptr when there is none. Must not panic.
    void* (*allocate)(std::size_t size) noexcept;
    // Gives back what allocate returned, with the same size.
    void (*deallocate)(void* frame, std::size_t size) noexcept;
};

// The kernel heap: nothrow operator new / sized operator delete.
[[nodiscard]] CoroutineFrameAllocator heap_coroutine_frame_allocator() noexcept;

// Installs `allocator` for all frames allocated from now on and returns the previous one.
// Precondition: no frame allocated by the previous allocator is still alive unless the new
// allocator's deallocate can free it too (test allocators forward to the heap for that reason).
CoroutineFrameAllocator set_coroutine_frame_allocator(CoroutineFrameAllocator allocator) noexcept;

// What the promise types' operator new and delete call. A failed allocation is recorded, so
// that get_return_object_on_allocation_failure (which the compiler calls without arguments)
// can say how large the frame was.
[[nodiscard]] void* allocate_coroutine_frame(std::size_t size) noexcept;
void deallocate_coroutine_frame(void* frame, std::size_t size) noexcept;

// The size of the most recent frame allocation that failed (0 if none did). Meaningful right
// after the failure: it is one variable for the whole kernel (one CPU; interrupt handlers do not
// start coroutines).
[[nodiscard]] std::size_t last_failed_frame_size() noexcept;

}  // namespace task
