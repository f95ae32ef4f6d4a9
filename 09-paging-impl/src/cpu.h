// Thin wrappers around CPU instructions that C++ has no words for.
#pragma once

#include "memory/address.h"

#include <cstdint>

namespace cpu {

// RFLAGS (Intel SDM Vol. 1, 3.4.3 "EFLAGS Register"; in 64-bit mode the register is 64 bits wide
// and bits 22..63 are reserved): the running code's status and control flags. Bit 1 is reserved
// and always reads as 1.
class RFlags {
public:
    // The one bit the kernel reads; the others (CF, ZF, TF, DF, ...) get a name when one does.
    static constexpr std::uint64_t INTERRUPT_FLAG = 1u << 9;  // IF: maskable interrupts on

    constexpr RFlags() = default;
    constexpr explicit RFlags(std::uint64_t bits) : bits_(bits) {}
    constexpr std::uint64_t bits() const { return bits_; }
    constexpr bool contains(std::uint64_t flag) const { return (bits_ & flag) == flag; }

private:
    std::uint64_t bits_ = 0;
};
static_assert(sizeof(RFlags) == 8);  // it is a word of the interrupt stack frame
static_assert(RFlags(0x202).contains(RFlags::INTERRUPT_FLAG) &&
              !RFlags(0x2).contains(RFlags::INTERRUPT_FLAG));

// RFLAGS as it is now: pushfq is the only way to read it.
inline RFlags read_rflags() {
    std::uint64_t flags;
    asm volatile("pushfq; popq %0" : "=r"(flags));
    return RFlags(flags);
}

// IF (Intel SDM Vol. 1, 3.4.3.3): set when maskable interrupts are delivered.
inline bool interrupts_enabled() { return read_rflags().contains(RFlags::INTERRUPT_FLAG); }

inline void enable_interrupts() { asm volatile("sti" ::: "memory"); }
inline void disable_interrupts() { asm volatile("cli" ::: "memory"); }

// Sleeps until the next interrupt (with interrupts enabled) and returns after its handler.
inline void halt() { asm volatile("hlt" ::: "memory"); }

// CR2 (Intel SDM Vol. 3A, 2.5): after a page fault, the linear address whose access faulted.
// It is always canonical: an access to a non-canonical address raises #GP, not #PF.
inline memory::VirtAddr read_cr2() {
    std::uint64_t value;
    asm volatile("mov %%cr2, %0" : "=r"(value));
    return memory::VirtAddr(value);
}

// CR3 with 4-level paging and no PCIDs (Intel SDM Vol. 3A, 4.5 "4-Level Paging and 5-Level
// Paging"): the physical address of the level 4 page table in bits 12..51, and two flags for
// how the CPU caches that table, PWT (bit 3) and PCD (bit 4), which the kernel leaves zero.
class Cr3 {
public:
    static constexpr std::uint64_t ADDRESS_MASK = 0x000f'ffff'ffff'f000;
    static constexpr std::uint64_t PAGE_LEVEL_WRITE_THROUGH = 1u << 3;  // PWT
    static constexpr std::uint64_t PAGE_LEVEL_CACHE_DISABLE = 1u << 4;  // PCD

    constexpr explicit Cr3(std::uint64_t raw) : raw_(raw) {}
    constexpr std::uint64_t raw() const { return raw_; }
    // Where the level 4 table is (it fills one 4 KiB frame).
    constexpr memory::PhysAddr level_4_table() const {
        return memory::PhysAddr(raw_ & ADDRESS_MASK);
    }
    constexpr std::uint64_t flags() const {
        return raw_ & (PAGE_LEVEL_WRITE_THROUGH | PAGE_LEVEL_CACHE_DISABLE);
    }

private:
    std::uint64_t raw_;
};
static_assert(Cr3(0x10'2018).level_4_table() == memory::PhysAddr(0x10'2000));
static_assert(Cr3(0x10'2018).flags() == 0x18);

inline Cr3 read_cr3() {
    std::uint64_t value;
    asm volatile("mov %%cr3, %0" : "=r"(value));
    return Cr3(value);
}

// IA32_EFER (model-specific register 0xC0000080, Intel SDM Vol. 3A, 2.2.1). The boot shim sets
// NXE (bit 11) only on CPUs that have no-execute; without it, bit 63 of a page-table entry is
// reserved, and an entry that sets it faults on every access ("reserved bit set").
inline std::uint64_t read_efer() {
    std::uint32_t low, high;
    asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(0xc000'0080u));
    return std::uint64_t{high} << 32 | low;
}

inline constexpr std::uint64_t EFER_NXE = 1ull << 11;

// Idles forever, waking for each interrupt: what the kernel does when it has nothing to do.
[[noreturn]] inline void hlt_loop() {
    for (;;) halt();
}

// Stops the CPU for good: interrupts off, then `hlt` in a loop (an NMI can still wake the CPU
// from hlt; the loop puts it back to sleep).
[[noreturn]] inline void halt_forever() {
    for (;;) asm volatile("cli; hlt");
}

}  // namespace cpu
