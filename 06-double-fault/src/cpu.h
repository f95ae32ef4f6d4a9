// Thin wrappers around CPU instructions that C++ has no words for.
#pragma once

namespace cpu {

// Stops the CPU for good: interrupts off, then `hlt` in a loop (an NMI can still wake the CPU
// from hlt; the loop puts it back to sleep).
[[noreturn]] inline void halt_forever() {
    for (;;) asm volatile("cli; hlt");
}

}  // namespace cpu
