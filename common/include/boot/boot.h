// What the boot shim (common/boot/boot.S) and the linker script (common/boot/linker.ld) promise
// to every stage's kernel. This is the contract between the toolchain layer and the stages; the
// numbers must match the shim's.
#pragma once

#include <cstdint>

// The kernel's build configuration, checked where every kernel includes it: a hosted build, or
// one that lets the compiler use SSE/MMX registers (which interrupt handlers do not save), would
// compile but misbehave at run time. See common/cmake/Kernel.cmake for the flags.
static_assert(__STDC_HOSTED__ == 0, "kernel code must be compiled with -ffreestanding");
#if defined(__SSE__) || defined(__MMX__)
#error "kernel code must not use SSE or MMX registers (-mgeneral-regs-only / -mno-sse -mno-mmx)"
#endif

namespace boot {

// All physical memory below physical_memory_mapped() is mapped at this virtual offset (writable,
// not executable): in 1 GiB pages where the CPU has them, else in 2 MiB pages.
inline constexpr std::uint64_t PHYSICAL_MEMORY_OFFSET = 0xffff'8000'0000'0000;

// Virtual 0 .. IDENTITY_MAPPED is mapped to the same physical addresses, in 4 KiB pages,
// except page 0 and the stack guard page, which are left unmapped.
inline constexpr std::uint64_t IDENTITY_MAPPED = 4ull << 20;

// The value GRUB passes in EAX (multiboot2 specification, 3.3).
inline constexpr std::uint32_t MULTIBOOT2_BOOTLOADER_MAGIC = 0x36d7'6289;

}  // namespace boot

extern "C" {
// Set by the shim before kernel_main: the end of the offset map, in bytes.
extern const std::uint64_t boot_physical_memory_mapped;
}

namespace boot {

// Where the offset map ends: the end of the highest available RAM in the multiboot2 memory map,
// rounded up to a GiB, and never below the whole 32-bit physical address space (firmware and
// devices live just under 4 GiB). On a CPU without 1 GiB pages the shim maps at most 64 GiB.
inline constexpr std::uint64_t PHYSICAL_MEMORY_MAPPED_MIN = 4ull << 30;
inline std::uint64_t physical_memory_mapped() { return boot_physical_memory_mapped; }

}  // namespace boot

// Symbols defined by the linker script. Only their addresses mean anything.
extern "C" {
extern const char __kernel_start[];
extern const char __kernel_end[];
extern const char __text_start[];
extern const char __text_end[];
extern const char __rodata_start[];
extern const char __rodata_end[];
extern const char __stack_guard[];
extern const char __stack_bottom[];
extern const char __stack_top[];

// Stops the CPU for good: interrupts off, then hlt in a loop. Defined by the shim.
[[noreturn]] void boot_halt();

// The stage's C++ entry, called by the shim on the kernel stack in 64-bit mode with the physical
// address of the multiboot2 boot information. Every stage defines it.
[[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys);
}
