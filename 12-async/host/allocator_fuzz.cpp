// Fuzz target: the kernel's heap allocators, driven by operation sequences the fuzzer picks and
// checked against a model. Byte 0 picks the allocator (bump, linked list, fixed-size block); then
// every three bytes are one operation: allocate (size and alignment from the next two bytes) or
// free one of the blocks held. The model keeps every live block and checks, at each step:
//   - a new block is aligned, inside the heap, and overlaps no live block;
//   - a block's contents are intact when it is freed (each is filled with its own tag byte);
//   - the allocator's own integrity checker passes;
//   - once everything is freed, the free memory is what it was at the start (nothing leaked).
// Run by `./workbook fuzz`; CTest replays host/fuzz/allocator/.

#include "allocator/bump.h"
#include "allocator/fixed_size_block.h"
#include "allocator/linked_list.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>

namespace {

constexpr std::size_t HEAP_SIZE = 64 * 1024;
constexpr std::size_t MAX_SIZE = 8192;  // the largest request the operations can make

// A broken promise: say which, then abort (libFuzzer keeps the input as a crash-* file).
[[noreturn]] void fail(const char* what, std::uintptr_t address = 0) {
    std::fprintf(stderr, "allocator_fuzz: %s (block %#zx)\n", what,
                 static_cast<std::size_t>(address));
    std::abort();
}

// Operations done in this process, reported at exit so `./workbook fuzz` can show the total.
std::uint64_t operations = 0;
const int report_at_exit = std::atexit([] {
    std::fprintf(stderr, "allocator_fuzz: %llu allocator operations\n",
                 static_cast<unsigned long long>(operations));
});

struct Block {
    std::size_t size;
    std::size_t align;
    unsigned char tag;
};

template <typename Allocator>
void run(const std::uint8_t* ops, std::size_t count) {
    alignas(4096) static std::byte heap[HEAP_SIZE];
    const auto start = reinterpret_cast<std::uintptr_t>(heap);
    Allocator allocator;
    allocator.init(start, HEAP_SIZE);
    const std::size_t free_at_start = allocator.free_bytes();
    std::map<std::uintptr_t, Block> live;
    unsigned char next_tag = 1;

    auto check = [&](std::uintptr_t address) {
        const auto integrity = allocator.check_integrity();
        if (!integrity.ok()) {
            std::fprintf(stderr, "allocator_fuzz: integrity: %s at %#zx\n", integrity.reason(),
                         static_cast<std::size_t>(integrity.address()));
            fail("the integrity checker failed", address);
        }
    };
    auto release = [&](std::map<std::uintptr_t, Block>::iterator it) {
        const auto [address, block] = *it;
        // memset and memcmp rather than a loop of byte compares: this is most of the target's work.
        static unsigned char expected[MAX_SIZE];
        std::memset(expected, block.tag, block.size);
        if (std::memcmp(reinterpret_cast<const void*>(address), expected, block.size) != 0)
            fail("a live block was overwritten", address);
        live.erase(it);
        allocator.deallocate(reinterpret_cast<void*>(address), block.size, block.align);
        check(address);
    };

    for (std::size_t i = 0; i + 3 <= count; i += 3) {
        const std::uint8_t op = ops[i];
        ++operations;
        if (op < 160 || live.empty()) {
            // Sizes: mostly small, some up to 8 KiB; alignments 1 to 4096, mostly small.
            const std::size_t size = op & 1
                                         ? 1 + ops[i + 1] % 64
                                         : 1 + (std::size_t{ops[i + 1]} << 5 | (ops[i + 2] & 31));
            const std::size_t align =
                std::size_t{1} << (ops[i + 2] >> 5 == 7 ? 6 + ops[i + 1] % 7 : ops[i + 2] >> 5);
            void* pointer = allocator.allocate(size, align);
            if (pointer == nullptr) {
                check(0);
                continue;  // the heap is full (or too fragmented): allowed
            }
            const auto address = reinterpret_cast<std::uintptr_t>(pointer);
            if (address % align != 0) fail("a block is not aligned as asked", address);
            if (address < start || address + size > start + HEAP_SIZE)
                fail("a block lies outside the heap", address);
            const auto after = live.lower_bound(address);
            if (after != live.end() && after->first < address + size)
                fail("a block overlaps a live one", address);
            if (after != live.begin()) {
                const auto before = std::prev(after);
                if (before->first + before->second.size > address)
                    fail("a block overlaps a live one", address);
            }
            std::memset(pointer, next_tag, size);
            live.emplace(address, Block{size, align, next_tag});
            next_tag = static_cast<unsigned char>(next_tag % 255 + 1);
            check(address);
        } else {
            auto it = live.begin();
            std::advance(it, static_cast<std::ptrdiff_t>(
                                 (std::size_t{ops[i + 1]} << 8 | ops[i + 2]) % live.size()));
            release(it);
        }
    }
    operations += live.size();
    while (!live.empty()) release(live.begin());
    if (allocator.free_bytes() != free_at_start)
        fail("memory went missing once every block was freed");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    switch (data[0] % 3) {
        case 0: run<allocator::BumpAllocator>(data + 1, size - 1); break;
        case 1: run<allocator::LinkedListAllocator>(data + 1, size - 1); break;
        default: run<allocator::FixedSizeBlockAllocator>(data + 1, size - 1); break;
    }
    return 0;
}
