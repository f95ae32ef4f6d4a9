// Page table entries, page tables, pages and frames (Intel SDM Vol. 3A, 4.5 "4-Level Paging").
#pragma once

#include "memory/address.h"

#include <array>
#include <cstddef>
#include <cstdint>

namespace memory {

// The bits of a page table entry that are flags (SDM Vol. 3A, tables 4-15 to 4-20). Flags
// combine only with flags; a plain word becomes flags only through the explicit constructor,
// which keeps the flag bits and drops the rest (the address bits 12..51 above all).
class PageTableFlags {
public:
    static const PageTableFlags PRESENT;
    static const PageTableFlags WRITABLE;
    static const PageTableFlags USER_ACCESSIBLE;
    static const PageTableFlags WRITE_THROUGH;
    static const PageTableFlags NO_CACHE;
    static const PageTableFlags ACCESSED;
    static const PageTableFlags DIRTY;
    static const PageTableFlags HUGE_PAGE;  // PS: in a level 3 or 2 entry, maps 1 GiB / 2 MiB
    static const PageTableFlags GLOBAL;
    static const PageTableFlags NO_EXECUTE;
    static const PageTableFlags ALL;

    constexpr PageTableFlags() = default;
    constexpr explicit PageTableFlags(std::uint64_t bits) : bits_(bits & ALL_BITS) {}
    constexpr std::uint64_t bits() const { return bits_; }
    constexpr bool contains(PageTableFlags flags) const {
        return (bits_ & flags.bits_) == flags.bits_;
    }
    constexpr PageTableFlags operator|(PageTableFlags other) const {
        return PageTableFlags(bits_ | other.bits_);
    }
    constexpr PageTableFlags operator&(PageTableFlags other) const {
        return PageTableFlags(bits_ & other.bits_);
    }
    constexpr PageTableFlags operator~() const { return PageTableFlags(~bits_); }
    constexpr bool operator==(const PageTableFlags&) const = default;

private:
    // Bits 0..8 and 63; 9..11 and 52..62 are free for software, which this kernel does not use.
    static constexpr std::uint64_t ALL_BITS = 0x8000'0000'0000'01ff;
    std::uint64_t bits_ = 0;
};
inline constexpr PageTableFlags PageTableFlags::PRESENT{1ull << 0};
inline constexpr PageTableFlags PageTableFlags::WRITABLE{1ull << 1};
inline constexpr PageTableFlags PageTableFlags::USER_ACCESSIBLE{1ull << 2};
inline constexpr PageTableFlags PageTableFlags::WRITE_THROUGH{1ull << 3};
inline constexpr PageTableFlags PageTableFlags::NO_CACHE{1ull << 4};
inline constexpr PageTableFlags PageTableFlags::ACCESSED{1ull << 5};
inline constexpr PageTableFlags PageTableFlags::DIRTY{1ull << 6};
inline constexpr PageTableFlags PageTableFlags::HUGE_PAGE{1ull << 7};
inline constexpr PageTableFlags PageTableFlags::GLOBAL{1ull << 8};
inline constexpr PageTableFlags PageTableFlags::NO_EXECUTE{1ull << 63};
inline constexpr PageTableFlags PageTableFlags::ALL{ALL_BITS};
static_assert((PageTableFlags::PRESENT | PageTableFlags::WRITABLE).bits() == 0x3);
static_assert(PageTableFlags(0x8000'0000'0010'2063).bits() == 0x8000'0000'0000'0063);
static_assert((PageTableFlags::ALL & ~PageTableFlags::NO_EXECUTE).bits() == 0x1ff);

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
