// Integration test: the heap works, and freed memory is used again. Built once per allocator
// design (see CMakeLists.txt).

#include <boot/boot.h>

#include "allocator.h"
#include "framebuffer.h"
#include "kernel.h"
#include "ktl/box.h"
#include "ktl/vec.h"
#include "memory.h"
#include "test_framework.h"

#include <cstddef>
#include <cstdint>
#include <new>

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    framebuffer::init(multiboot_info_phys);
    kernel::init();
    memory::init(memory::PhysAddr(multiboot_info_phys));
    allocator::init_kernel_heap();
    run_tests();
}

[[noreturn]] void panic_handler(const PanicInfo& info) { test_panic_handler(info); }

namespace {

// The compilers may remove a new/delete pair whose memory nothing else sees (C++ allows it), and
// then a loop of boxes allocates nothing. Handing the pointer to an asm statement makes the
// allocation observable, so every box really comes from the heap.
template <typename T>
void escape(const T* pointer) {
    asm volatile("" : : "r"(pointer) : "memory");
}

void assert_heap_intact() {
    const auto integrity = allocator::check_integrity();
    if (!integrity.ok())
        panic("heap integrity broken at {:#x}: {}", integrity.address(), integrity.reason());
}

}  // namespace

KERNEL_TEST(simple_allocation) {
    const auto heap_value_1 = ktl::make_box<int>(41);
    const auto heap_value_2 = ktl::make_box<int>(13);
    escape(heap_value_1.get());
    escape(heap_value_2.get());
    ASSERT_EQ(*heap_value_1, 41);
    ASSERT_EQ(*heap_value_2, 13);
    assert_heap_intact();
}

KERNEL_TEST(large_vec) {
    constexpr std::uint64_t n = 1000;
    ktl::Vec<std::uint64_t> vec;
    for (std::uint64_t i = 0; i < n; ++i) vec.push_back(i);
    escape(vec.data());
    std::uint64_t sum = 0;
    for (const std::uint64_t x : vec) sum += x;
    ASSERT_EQ(sum, (n - 1) * n / 2);
    assert_heap_intact();
}

// HEAP_SIZE allocations one after another need far more than HEAP_SIZE bytes in total: the test
// passes only if each freed box's memory is used again.
KERNEL_TEST(many_boxes) {
    for (std::size_t i = 0; i < allocator::HEAP_SIZE; ++i) {
        const auto x = ktl::make_box<std::size_t>(i);
        escape(x.get());
        ASSERT_EQ(*x, i);
    }
    assert_heap_intact();
}

// One allocation stays alive while HEAP_SIZE others come and go. An allocator that can only
// reuse memory once everything is freed (bump) runs out; the others must not.
KERNEL_TEST(many_boxes_long_lived) {
    const auto long_lived = ktl::make_box<std::size_t>(1);
    escape(long_lived.get());
    for (std::size_t i = 0; i < allocator::HEAP_SIZE; ++i) {
        const auto x = ktl::make_box<std::size_t>(i);
        escape(x.get());
        ASSERT_EQ(*x, i);
    }
    ASSERT_EQ(*long_lived, 1u);
    assert_heap_intact();
}

// The fallible path: nothrow new reports exhaustion with null, and the heap is unharmed.
KERNEL_TEST(nothrow_new_returns_null_when_exhausted) {
    const std::size_t before = allocator::free_bytes();
    void* too_big = ::operator new(allocator::HEAP_SIZE * 2, std::nothrow);
    ASSERT_TRUE(too_big == nullptr);
    ASSERT_EQ(allocator::free_bytes(), before);
    assert_heap_intact();
}

// Every block is aligned as asked, up to a page.
KERNEL_TEST(aligned_allocation) {
    for (std::size_t align = 1; align <= 4096; align *= 2) {
        void* p = ::operator new (24, std::align_val_t{align});
        ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % align, 0u);
        ::operator delete (p, std::align_val_t{align});
    }
    assert_heap_intact();
}
