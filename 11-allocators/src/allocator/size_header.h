// A header in front of a block that remembers the block's size and alignment, for the global
// operator delete forms that are not told them.
//
// Our allocators need (size, align) on deallocate, like Rust's GlobalAlloc::dealloc gets a
// Layout. C++ does not always pass them: `delete[] p` for an array of trivially destructible
// elements calls operator delete[](void*), clang 14 calls the unsized operator delete(void*)
// unless built with -fsized-deallocation, and g++ 12 frees coroutine frames with the unsized
// form. A global operator new that may meet such a delete asks the allocator for a little more
// and writes the request in front of what it returns:
//
//     block (from the allocator, aligned to max(align, 16))
//     |<--------- offset = max(align, 16) -------->|<----------- size ----------->|
//     |          padding            | Header{size, align} | the caller's object...
//                                                   ^ pointer returned to the caller
//
// The offset is a multiple of the requested alignment, so the caller's pointer is aligned too,
// and it is at least sizeof(Header), so the header always fits.
#pragma once

#include "allocator/align.h"

#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>

namespace allocator::size_header {

struct Header {
    std::size_t size;
    std::size_t align;
};
static_assert(sizeof(Header) == 16);

// What to ask the allocator for (and later give back to it).
struct Request {
    std::size_t size;
    std::size_t align;
};

// The allocator's block and request behind a caller's pointer, and what the caller had asked for.
struct Located {
    void* block;
    Request request;
    Header header;
};

[[nodiscard]] constexpr std::size_t offset_for(std::size_t align) {
    return align > sizeof(Header) ? align : sizeof(Header);
}

// The allocator request that makes room for the header in front of `size` bytes aligned to
// `align`, or nullopt if align is not a power of two or the size overflows.
//
// The total is rounded up to a multiple of 16 (the header's size, and the smallest alignment of
// a block): a 24-byte block aligned to 16 would leave 8 bytes before the next 16-aligned
// address, too few for the linked-list allocator to keep, so each 8-byte `new` would cost 48
// bytes of heap instead of 32.
[[nodiscard]] constexpr std::optional<Request> request_for(std::size_t size, std::size_t align) {
    if (!is_power_of_two(align)) return std::nullopt;
    const std::size_t offset = offset_for(align);
    const auto with_header = checked_add(size, offset);
    if (!with_header) return std::nullopt;
    const auto total = align_up(*with_header, sizeof(Header));
    if (!total) return std::nullopt;
    return Request{*total, offset};
}

// Writes the header into `block` and returns the caller's pointer.
// Precondition: block came from the allocator for request_for(size, align).
[[nodiscard]] inline void* install(void* block, std::size_t size, std::size_t align) {
    const std::uintptr_t user = reinterpret_cast<std::uintptr_t>(block) + offset_for(align);
    ::new (reinterpret_cast<void*>(user - sizeof(Header))) Header{size, align};
    return reinterpret_cast<void*>(user);
}

// Reads the header in front of a caller's pointer.
// Precondition: user came from install and its block was not freed yet.
[[nodiscard]] inline Located locate(void* user) {
    const auto address = reinterpret_cast<std::uintptr_t>(user);
    const Header header = *reinterpret_cast<const Header*>(address - sizeof(Header));
    const std::size_t offset = offset_for(header.align);
    // The same request as request_for made (it succeeded then, so nothing overflows now).
    return Located{reinterpret_cast<void*>(address - offset),
                   *request_for(header.size, header.align), header};
}

static_assert(request_for(8, 8)->size == 32 && request_for(8, 8)->align == 16);
static_assert(request_for(16, 8)->size == 32 && request_for(1, 1)->size == 32);
static_assert(request_for(100, 4096)->size == 4208 && request_for(100, 4096)->align == 4096);
static_assert(!request_for(8, 3) && !request_for(static_cast<std::size_t>(-8), 8));

}  // namespace allocator::size_header
