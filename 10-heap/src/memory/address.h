// Physical and virtual addresses as distinct types, so one cannot be passed where the other is
// meant (the x86_64 crate's PhysAddr and VirtAddr).
#pragma once

#include "format.h"
#include "panic.h"

#include <compare>
#include <cstdint>

namespace memory {

inline constexpr std::uint64_t PAGE_SIZE = 4096;

constexpr std::uint64_t align_down(std::uint64_t value, std::uint64_t align) {
    return value & ~(align - 1);
}

// An index into a page table: always below 512 (nine bits of a virtual address).
class PageTableIndex {
public:
    constexpr explicit PageTableIndex(std::uint16_t index)
        : index_(static_cast<std::uint16_t>(index % 512)) {}
    constexpr std::uint16_t value() const { return index_; }
    constexpr auto operator<=>(const PageTableIndex&) const = default;

private:
    std::uint16_t index_;
};

// A physical address: at most 52 bits (Intel SDM Vol. 3A, 4.1.4, MAXPHYADDR).
class PhysAddr {
public:
    constexpr PhysAddr() = default;
    // Precondition: the address fits in 52 bits (checked: a violation panics).
    constexpr explicit PhysAddr(std::uint64_t address) : address_(address) {
        if ((address >> 52) != 0) panic("physical address {:#x} is wider than 52 bits", address);
    }
    constexpr std::uint64_t as_u64() const { return address_; }
    constexpr PhysAddr align_down(std::uint64_t align) const {
        return PhysAddr(memory::align_down(address_, align));
    }
    // Precondition: align is a power of two, at most 2^52. The sum cannot wrap, as the address
    // has at most 52 bits; a result wider than 52 bits panics in the constructor.
    constexpr PhysAddr align_up(std::uint64_t align) const {
        return PhysAddr((address_ + align - 1) & ~(align - 1));
    }
    constexpr bool is_aligned(std::uint64_t align) const { return (address_ & (align - 1)) == 0; }
    constexpr PhysAddr operator+(std::uint64_t offset) const { return PhysAddr(address_ + offset); }
    constexpr auto operator<=>(const PhysAddr&) const = default;

private:
    std::uint64_t address_ = 0;
};

// A virtual address in canonical form: bits 48..63 copy bit 47 (Intel SDM Vol. 1, 3.3.7.1).
// The CPU raises #GP for any other, so the type refuses to hold one.
class VirtAddr {
public:
    constexpr VirtAddr() = default;
    // Precondition: canonical (checked: a violation panics).
    constexpr explicit VirtAddr(std::uint64_t address) : address_(address) {
        if (sign_extend(address) != address)
            panic("virtual address {:#x} is not canonical", address);
    }
    // Makes any address canonical by copying bit 47 into the upper bits.
    static constexpr VirtAddr truncate(std::uint64_t address) {
        return VirtAddr(sign_extend(address));
    }

    constexpr std::uint64_t as_u64() const { return address_; }
    template <typename T>
    T* as_ptr() const {
        return reinterpret_cast<T*>(address_);
    }
    constexpr std::uint64_t page_offset() const { return address_ & 0xfff; }
    // The table indices a 4-level walk uses: level 4 (bits 39..47) down to level 1 (12..20).
    constexpr PageTableIndex p4_index() const {
        return PageTableIndex(static_cast<std::uint16_t>(address_ >> 39));
    }
    constexpr PageTableIndex p3_index() const {
        return PageTableIndex(static_cast<std::uint16_t>(address_ >> 30));
    }
    constexpr PageTableIndex p2_index() const {
        return PageTableIndex(static_cast<std::uint16_t>(address_ >> 21));
    }
    constexpr PageTableIndex p1_index() const {
        return PageTableIndex(static_cast<std::uint16_t>(address_ >> 12));
    }
    constexpr VirtAddr align_down(std::uint64_t align) const {
        return VirtAddr(memory::align_down(address_, align));
    }
    constexpr bool is_aligned(std::uint64_t align) const { return (address_ & (align - 1)) == 0; }
    constexpr VirtAddr operator+(std::uint64_t offset) const {
        return VirtAddr::truncate(address_ + offset);
    }
    constexpr auto operator<=>(const VirtAddr&) const = default;

private:
    static constexpr std::uint64_t sign_extend(std::uint64_t address) {
        return static_cast<std::uint64_t>(static_cast<std::int64_t>(address << 16) >> 16);
    }
    std::uint64_t address_ = 0;
};

static_assert(VirtAddr::truncate(0x0000'8000'0000'0000).as_u64() == 0xffff'8000'0000'0000);
static_assert(VirtAddr(0xdeadbeaf000).p4_index().value() == 0x1b);
static_assert(VirtAddr(0xdeadbeaf000).p3_index().value() == 0x1ab);
static_assert(VirtAddr(0xdeadbeaf000).p2_index().value() == 0x0df);
static_assert(VirtAddr(0xdeadbeaf000).p1_index().value() == 0x0af);

inline void format_value(fmt::Sink& sink, const PhysAddr& a, const fmt::Spec&) {
    fmt::format_to(sink, "PhysAddr({:#x})", a.as_u64());
}
inline void format_value(fmt::Sink& sink, const VirtAddr& a, const fmt::Spec&) {
    fmt::format_to(sink, "VirtAddr({:#x})", a.as_u64());
}

}  // namespace memory
