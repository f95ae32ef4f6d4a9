// Stage 02: a minimal kernel. GRUB loads it (multiboot2), the boot shim in common/ switches the
// CPU to long mode and calls kernel_main, which writes "Hello World!" straight into the VGA text
// buffer and stops.

#include <boot/boot.h>

#include <cstdint>

namespace {

// With no operating system to return to, a kernel that is done stops the CPU: interrupts off,
// then `hlt` in a loop (an NMI can still wake the CPU from hlt; the loop puts it back to sleep).
[[noreturn]] void halt_forever() {
    for (;;) asm volatile("cli; hlt");
}

// The VGA text buffer: 80x25 cells at physical 0xb8000 (identity-mapped by the boot shim). Each
// cell is two bytes: the character (code page 437), then the attribute (background << 4 |
// foreground). The buffer is memory-mapped I/O, so the writes are volatile: the compiler must
// not drop them just because the program never reads them back.
constexpr std::uintptr_t VGA_BUFFER = 0xb8000;
constexpr std::uint8_t LIGHT_CYAN_ON_BLACK = 0x0b;

constexpr char HELLO[] = "Hello World!";

}  // namespace

// The panic path: what the program does when it reaches a state it cannot continue from. There
// is no unwinding and nobody to report to yet, so it stops. Stage 03 makes it print a message.
[[noreturn]] void panic() { halt_forever(); }

extern "C" [[noreturn]] void kernel_main(std::uint64_t /*multiboot_info_phys*/) {
    // LAB(hello-vga): write HELLO into the VGA buffer, a character and an attribute per cell
    // STUB: (void)VGA_BUFFER, (void)LIGHT_CYAN_ON_BLACK, (void)HELLO;
    // STUB: panic();  // "lab hello-vga: not written yet" (stage 02's panic only stops the CPU)
    auto* vga = reinterpret_cast<volatile std::uint8_t*>(VGA_BUFFER);
    for (std::size_t i = 0; i + 1 < sizeof HELLO; ++i) {
        vga[i * 2] = static_cast<std::uint8_t>(HELLO[i]);
        vga[i * 2 + 1] = LIGHT_CYAN_ON_BLACK;
    }
    // END LAB(hello-vga)
    halt_forever();
}
