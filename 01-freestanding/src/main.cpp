// Stage 01: a freestanding C++ program.
//
// Nothing here may depend on an operating system: no C library, no C++ runtime, no exceptions,
// no RTTI (see common/cmake/Kernel.cmake for the flags that enforce it). The program's entry point
// `_start` belongs to the boot shim in common/boot/boot.S, because the firmware enters it in
// 32-bit mode; once the CPU is in 64-bit mode the shim calls kernel_main below.

#include <boot/boot.h>

#include <cstdint>

namespace {

// With no operating system to return to, a kernel that is done stops the CPU: interrupts off,
// then `hlt` in a loop (an NMI can still wake the CPU from hlt; the loop puts it back to sleep).
[[noreturn]] void halt_forever() {
    for (;;) asm volatile("cli; hlt");
}

}  // namespace

// The panic path: what the program does when it reaches a state it cannot continue from. There
// is no unwinding and nobody to report to yet, so it stops. Stage 03 makes it print a message.
[[noreturn]] void panic() { halt_forever(); }

extern "C" [[noreturn]] void kernel_main(std::uint64_t /*multiboot_info_phys*/) { halt_forever(); }
