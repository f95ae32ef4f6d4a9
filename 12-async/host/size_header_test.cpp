// Host tests of the size header (src/allocator/size_header.h) on top of the linked list
// allocator: what a kernel's global operator new/delete would do.

#include "allocator/size_header.h"
#include "allocator/linked_list.h"

#include "test_heap.h"

#include <gtest/gtest.h>

#include <random>
#include <utility>
#include <vector>

namespace header = allocator::size_header;

namespace {

TEST(SizeHeader, RoundTripsSizeAndAlignment) {
    constexpr std::size_t HEAP_SIZE = 256 * 1024;
    test::TestHeap heap(HEAP_SIZE);
    allocator::LinkedListAllocator allocator;
    allocator.init(heap.start(), heap.size());
    test::LiveBlocks live(heap.start(), heap.end());

    std::mt19937_64 rng(11);
    std::vector<void*> pointers;
    for (int i = 0; i < 200; ++i) {
        const std::size_t size = rng() % 300;
        const std::size_t align = std::size_t{1} << (rng() % 13);
        const auto request = header::request_for(size, align);
        ASSERT_TRUE(request);
        void* block = allocator.allocate(request->size, request->align);
        ASSERT_NE(block, nullptr);
        void* user = header::install(block, size, align);
        ASSERT_TRUE(live.add(user, size, align));  // aligned, and not overlapping another header

        const header::Located found = header::locate(user);
        EXPECT_EQ(found.block, block);
        EXPECT_EQ(found.request.size, request->size);
        EXPECT_EQ(found.request.align, request->align);
        EXPECT_EQ(found.header.size, size);
        EXPECT_EQ(found.header.align, align);
        pointers.push_back(user);
    }
    // Free with nothing but the pointer, as operator delete(void*) must.
    for (void* user : pointers) {
        live.remove(reinterpret_cast<std::uintptr_t>(user));
        const header::Located found = header::locate(user);
        allocator.deallocate(found.block, found.request.size, found.request.align);
        ASSERT_TRUE(allocator.check_integrity().ok());
    }
    EXPECT_EQ(allocator.free_bytes(), HEAP_SIZE);
    EXPECT_EQ(allocator.free_regions(), 1u);
}

}  // namespace
