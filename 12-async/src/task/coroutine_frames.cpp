#include "task/coroutine_frames.h"

#include <new>
#include <utility>

namespace task {

namespace {

// A fresh nothrow_t rather than std::nothrow: that object lives in libsupc++, which the kernel
// does not link; the tag's value carries nothing.
void* heap_allocate(std::size_t size) noexcept { return ::operator new (size, std::nothrow_t{}); }
// The sized form tells the heap the size it would otherwise have to remember; clang 14 declares
// it only with -fsized-deallocation.
void heap_deallocate(void* frame, [[maybe_unused]] std::size_t size) noexcept {
#if defined(__cpp_sized_deallocation)
    ::operator delete(frame, size);
#else
    ::operator delete(frame);
#endif
}

constinit CoroutineFrameAllocator installed{heap_allocate, heap_deallocate};
constinit std::size_t failed_frame_size = 0;

}  // namespace

CoroutineFrameAllocator heap_coroutine_frame_allocator() noexcept {
    return {heap_allocate, heap_deallocate};
}

CoroutineFrameAllocator set_coroutine_frame_allocator(CoroutineFrameAllocator allocator) noexcept {
    return std::exchange(installed, allocator);
}

void* allocate_coroutine_frame(std::size_t size) noexcept {
    void* frame = installed.allocate(size);
    if (frame == nullptr) failed_frame_size = size;
    return frame;
}
void deallocate_coroutine_frame(void* frame, std::size_t size) noexcept {
    installed.deallocate(frame, size);
}

std::size_t last_failed_frame_size() noexcept { return failed_frame_size; }

}  // namespace task
