// Page table entries, page tables, pages and frames (Intel SDM Vol. 3A, 4.5 "4-Level Paging").
#pragma once

#include "memory/address.h"

#include <array>
#include <cstddef>
#include <cstdint>

namespace memory {

// The bits of a page table entry that are flags (SDM Vol. 3A, tables 4-15 to 4-20).
class PageTableFlags {
public:
    static constexpr std::uint64_t PRESENT = 1ull << 0;
    static constexpr std::uint64_t WRITABLE = 1ull << 1;
    static constexpr std::uint64_t USER_ACCESSIBLE = 1ull << 2;
    static constexpr std::uint64_t WRITE_THROUGH = 1ull << 3;
    static constexpr std::uint64_t NO_CACHE = 1ull << 4;
    static constexpr std::uint64_t ACCESSED = 1ull << 5;
    static constexpr std::uint64_t DIRTY = 1ull << 6;
    static constexpr std::uint64_t HUGE_PAGE =
        1ull << 7;  // PS: in a level 3 or 2 entry, maps 1 GiB / 2 MiB
    static constexpr std::uint64_t GLOBAL = 1ull << 8;
    static constexpr std::uint64_t NO_EXECUTE = 1ull << 63;
    static constexpr std::uint64_t ALL = PRESENT | WRITABLE | USER_ACCESSIBLE | WRITE_THROUGH |
                                         NO_CACHE | ACCESSED | DIRTY | HUGE_PAGE | GLOBAL |
                                         NO_EXECUTE;

    constexpr PageTableFlags() = default;
    constexpr PageTableFlags(std::uint64_t bits)
        : bits_(bits & ALL) {}  // NOLINT: flags combine with |
    constexpr std::uint64_t bits() const { return bits_; }
    constexpr bool contains(std::uint64_t flag) const { return (bits_ & flag) == flag; }
    constexpr PageTableFlags operator|(PageTableFlags other) const {
        return PageTableFlags(bits_ | other.bits_);
    }
    constexpr bool operator==(const PageTableFlags&) const = default;

private:
    std::uint64_t bits_ = 0;
};

// One 8-byte entry: flags plus the physical address of a frame or of the next table.
class PageTableEntry {
public:
    static constexpr std::uint64_t ADDRESS_MASK = 0x000f'ffff'ffff'f000;

    constexpr PageTableEntry() = default;
    constexpr bool is_unused() const { return raw_ == 0; }
    constexpr void set_unused() { raw_ = 0; }
    constexpr PageTableFlags flags() const { return PageTableFlags(raw_); }
    constexpr PhysAddr address() const { return PhysAddr(raw_ & ADDRESS_MASK); }
    // Precondition: address is 4 KiB aligned (2 MiB / 1 GiB for huge pages).
    constexpr void set(PhysAddr address, PageTableFlags flags) {
        raw_ = (address.as_u64() & ADDRESS_MASK) | flags.bits();
    }
    constexpr void set_flags(PageTableFlags flags) { raw_ = (raw_ & ADDRESS_MASK) | flags.bits(); }
    constexpr std::uint64_t raw() const { return raw_; }

private:
    std::uint64_t raw_ = 0;
};
static_assert(sizeof(PageTableEntry) == 8);

// 512 entries, 4 KiB, page aligned: the format of every level.
struct alignas(4096) PageTable {
    std::array<PageTableEntry, 512> entries{};

    PageTableEntry& operator[](PageTableIndex i) { return entries[i.value()]; }
    const PageTableEntry& operator[](PageTableIndex i) const { return entries[i.value()]; }
    void zero() {
        for (auto& entry : entries) entry.set_unused();
    }
};
static_assert(sizeof(PageTable) == 4096 && alignof(PageTable) == 4096);

// Page sizes as types, so a 2 MiB frame cannot be mapped where a 4 KiB one is expected.
struct Size4KiB {
    static constexpr std::uint64_t SIZE = 4096;
};
struct Size2MiB {
    static constexpr std::uint64_t SIZE = 2ull << 20;
};
struct Size1GiB {
    static constexpr std::uint64_t SIZE = 1ull << 30;
};

// A frame of physical memory: a PhysAddr aligned to the frame's size.
template <typename S = Size4KiB>
class PhysFrame {
public:
    // Precondition: start is aligned to S::SIZE (checked).
    static constexpr PhysFrame from_start_address(PhysAddr start) {
        if (!start.is_aligned(S::SIZE))
            panic("frame address {:#x} is not aligned to {:#x}", start.as_u64(), S::SIZE);
        return PhysFrame(start);
    }
    static constexpr PhysFrame containing_address(PhysAddr address) {
        return PhysFrame(address.align_down(S::SIZE));
    }
    constexpr PhysAddr start_address() const { return start_; }
    constexpr auto operator<=>(const PhysFrame&) const = default;

private:
    constexpr explicit PhysFrame(PhysAddr start) : start_(start) {}
    PhysAddr start_;
};

// A page of virtual memory: a VirtAddr aligned to the page's size.
template <typename S = Size4KiB>
class Page {
public:
    static constexpr Page from_start_address(VirtAddr start) {
        if (!start.is_aligned(S::SIZE))
            panic("page address {:#x} is not aligned to {:#x}", start.as_u64(), S::SIZE);
        return Page(start);
    }
    static constexpr Page containing_address(VirtAddr address) {
        return Page(address.align_down(S::SIZE));
    }
    constexpr VirtAddr start_address() const { return start_; }
    constexpr Page next() const { return Page(start_ + S::SIZE); }
    constexpr auto operator<=>(const Page&) const = default;

private:
    constexpr explicit Page(VirtAddr start) : start_(start) {}
    VirtAddr start_;
};

}  // namespace memory
