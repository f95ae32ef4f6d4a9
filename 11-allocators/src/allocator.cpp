#include "allocator.h"

#include "allocator/bump.h"
#include "allocator/fixed_size_block.h"
#include "allocator/linked_list.h"
#include "allocator/size_header.h"
#include "memory.h"
#include "panic.h"
#include "spinlock.h"

#include <new>

namespace allocator {

namespace {

// The design behind the heap is chosen when the kernel is built (CMake option
// WORKBOOK_ALLOCATOR); all three have the same interface.
#if defined(KERNEL_ALLOCATOR_BUMP)
using HeapAllocator = BumpAllocator;
#elif defined(KERNEL_ALLOCATOR_LINKED_LIST)
using HeapAllocator = LinkedListAllocator;
#elif defined(KERNEL_ALLOCATOR_FIXED_SIZE_BLOCK)
using HeapAllocator = FixedSizeBlockAllocator;
#else
#error \
    "define KERNEL_ALLOCATOR_BUMP, KERNEL_ALLOCATOR_LINKED_LIST or KERNEL_ALLOCATOR_FIXED_SIZE_BLOCK"
#endif

// The allocator behind the heap. Its lock turns interrupts off while held, so an interrupt
// handler that allocates cannot deadlock against the code it interrupted.
constinit Spinlock<HeapAllocator> ALLOCATOR{HeapAllocator{}};

[[noreturn]] void exhausted(std::size_t size, std::size_t align) {
    panic("heap exhausted: cannot allocate {} bytes aligned to {} ({} of {} heap bytes free)", size,
          align, free_bytes(), HEAP_SIZE);
}

void* allocate_or_panic(std::size_t size, std::size_t align) {
    void* pointer = try_allocate(size, align);
    if (pointer == nullptr) exhausted(size, align);
    return pointer;
}

}  // namespace

Result<std::size_t, memory::MapToError> init_heap(memory::OffsetPageTable& mapper,
                                                  memory::FrameAllocator& frame_allocator) {
    // LAB(heap-setup): map every heap page to a fresh frame, then give the heap to the allocator
    // STUB: (void)mapper, (void)frame_allocator;
    // STUB: panic("lab heap-setup: not written yet");
    const auto first = memory::Page<>::containing_address(HEAP_START);
    const auto last = memory::Page<>::containing_address(HEAP_START + (HEAP_SIZE - 1));
    for (auto page = first; page <= last; page = page.next()) {
        const auto frame = frame_allocator.allocate_frame();
        if (!frame) return Err<memory::MapToError>{memory::MapToError::FrameAllocationFailed};
        auto mapped = mapper.map_to(
            page, *frame, memory::PageTableFlags::WRITABLE | memory::PageTableFlags::NO_EXECUTE,
            frame_allocator);
        if (mapped.is_err()) return Err<memory::MapToError>{mapped.error()};
        mapped.value().flush();
    }
    ALLOCATOR.lock()->init(HEAP_START.as_u64(), HEAP_SIZE);
    return HEAP_SIZE;
    // END LAB(heap-setup)
}

void init_kernel_heap() {
    const auto heap = init_heap(*memory::mapper(), *memory::frame_allocator());
    if (heap.is_err()) panic("heap initialization failed: {}", memory::describe(heap.error()));
}

// Every block carries a small header with its size and alignment (allocator/size_header.h):
// not every operator delete the compilers call is told them, and the allocator needs both.
void* try_allocate(std::size_t size, std::size_t align) {
    const auto request = size_header::request_for(size, align);
    if (!request) return nullptr;
    void* block = ALLOCATOR.lock()->allocate(request->size, request->align);
    return block == nullptr ? nullptr : size_header::install(block, size, align);
}

void deallocate(void* pointer) {
    if (pointer == nullptr) return;
    const auto located = size_header::locate(pointer);
    ALLOCATOR.lock()->deallocate(located.block, located.request.size, located.request.align);
}

Integrity check_integrity() { return ALLOCATOR.lock()->check_integrity(); }
std::size_t free_bytes() { return ALLOCATOR.lock()->free_bytes(); }

const char* name() {
#if defined(KERNEL_ALLOCATOR_BUMP)
    return "bump";
#elif defined(KERNEL_ALLOCATOR_LINKED_LIST)
    return "linked list";
#else
    return "fixed-size block";
#endif
}

}  // namespace allocator

// --- the global allocation functions (C++ [new.delete]) ----------------------------------------
// Every form the compilers may call: plain and array, with and without alignment, nothrow, and
// the sized deletes (g++ uses them; clang 14 calls the unsized ones unless told otherwise).

namespace {
constexpr std::size_t DEFAULT_ALIGN = __STDCPP_DEFAULT_NEW_ALIGNMENT__;
}

// The tag object of `new (std::nothrow) T`. <new> declares it; the hosted library defines it,
// so without libstdc++ the kernel does (it plays the library's part here).
namespace std {
const nothrow_t nothrow{};
}

void* operator new(std::size_t size) { return allocator::allocate_or_panic(size, DEFAULT_ALIGN); }
void* operator new[](std::size_t size) { return allocator::allocate_or_panic(size, DEFAULT_ALIGN); }
void* operator new(std::size_t size, std::align_val_t align) {
    return allocator::allocate_or_panic(size, static_cast<std::size_t>(align));
}
void* operator new[](std::size_t size, std::align_val_t align) {
    return allocator::allocate_or_panic(size, static_cast<std::size_t>(align));
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return allocator::try_allocate(size, DEFAULT_ALIGN);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return allocator::try_allocate(size, DEFAULT_ALIGN);
}
void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
    return allocator::try_allocate(size, static_cast<std::size_t>(align));
}
void* operator new[](std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
    return allocator::try_allocate(size, static_cast<std::size_t>(align));
}

void operator delete(void* pointer) noexcept { allocator::deallocate(pointer); }
void operator delete[](void* pointer) noexcept { allocator::deallocate(pointer); }
void operator delete(void* pointer, std::size_t) noexcept { allocator::deallocate(pointer); }
void operator delete[](void* pointer, std::size_t) noexcept { allocator::deallocate(pointer); }
void operator delete(void* pointer, std::align_val_t) noexcept { allocator::deallocate(pointer); }
void operator delete[](void* pointer, std::align_val_t) noexcept { allocator::deallocate(pointer); }
void operator delete(void* pointer, std::size_t, std::align_val_t) noexcept {
    allocator::deallocate(pointer);
}
void operator delete[](void* pointer, std::size_t, std::align_val_t) noexcept {
    allocator::deallocate(pointer);
}
void operator delete(void* pointer, const std::nothrow_t&) noexcept {
    allocator::deallocate(pointer);
}
void operator delete[](void* pointer, const std::nothrow_t&) noexcept {
    allocator::deallocate(pointer);
}
void operator delete(void* pointer, std::align_val_t, const std::nothrow_t&) noexcept {
    allocator::deallocate(pointer);
}
void operator delete[](void* pointer, std::align_val_t, const std::nothrow_t&) noexcept {
    allocator::deallocate(pointer);
}
