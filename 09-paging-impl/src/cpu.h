// Thin wrappers around CPU instructions that C++ has no words for.
#pragma once

#include <cstdint>
#include <utility>

namespace cpu {

// RFLAGS.IF (Intel SDM Vol. 1, 3.4.3.3): set when maskable interrupts are delivered.
inline bool interrupts_enabled() {
    std::uint64_t flags;
    asm volatile("pushfq; popq %0" : "=r"(flags));
    return (flags & (1u << 9)) != 0;
}

inline void enable_interrupts() { asm volatile("sti" ::: "memory"); }
inline void disable_interrupts() { asm volatile("cli" ::: "memory"); }

// Sleeps until the next interrupt (with interrupts enabled) and returns after its handler.
inline void halt() { asm volatile("hlt" ::: "memory"); }

// Runs f with interrupts off and puts the interrupt flag back as it was -- never a blind sti,
// which would turn interrupts on inside code that had them off for a reason.
template <typename F>
decltype(auto) without_interrupts(F&& f) {
    const bool were_enabled = interrupts_enabled();
    if (were_enabled) disable_interrupts();
    struct Restore {
        bool enable;
        ~Restore() {
            if (enable) enable_interrupts();
        }
    } restore{were_enabled};
    return std::forward<F>(f)();
}

// CR2 (Intel SDM Vol. 3A, 2.5): after a page fault, the linear address whose access faulted.
inline std::uint64_t read_cr2() {
    std::uint64_t value;
    asm volatile("mov %%cr2, %0" : "=r"(value));
    return value;
}

// CR3 (Intel SDM Vol. 3A, 4.5): the physical address of the level 4 page table in bits 12..51;
// the low bits hold flags (PWT, PCD) that the kernel leaves zero.
inline std::uint64_t read_cr3() {
    std::uint64_t value;
    asm volatile("mov %%cr3, %0" : "=r"(value));
    return value;
}

inline constexpr std::uint64_t CR3_ADDRESS_MASK = 0x000f'ffff'ffff'f000;

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
