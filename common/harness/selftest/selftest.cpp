// Kernels that end badly on purpose, one per verdict of the harness (harness.py). The harness
// tests (common/CMakeLists.txt) check that each is reported as a failure, with the right word.

#include <boot/boot.h>

#include <cstdint>

namespace {

[[maybe_unused]] void exit_qemu(std::uint32_t code) {
    asm volatile("outl %0, %1" : : "a"(code), "Nd"(std::uint16_t{0xf4}));
}

}  // namespace

extern "C" [[noreturn]] void kernel_main(std::uint64_t) {
#if defined(SELFTEST_TRIPLE_FAULT)
    // An IDT of limit 0: the breakpoint cannot be delivered (#GP), nor can the #GP (#DF), nor the
    // double fault: the CPU shuts down, which QEMU reports as a triple fault.
    struct [[gnu::packed]] {
        std::uint16_t limit;
        std::uint64_t base;
    } const empty_idt{0, 0};
    asm volatile("lidt %0; int3" : : "m"(empty_idt));
#elif defined(SELFTEST_HANG)
    // Spins forever with interrupts off: never halts, never exits.
    for (;;) asm volatile("" ::: "memory");
#elif defined(SELFTEST_EXIT_FAILURE)
    exit_qemu(0x11);
#elif defined(SELFTEST_WRONG_SCREEN)
    // Writes "Hello" where the harness is told to expect "Goodbye".
    auto* vga = reinterpret_cast<volatile std::uint16_t*>(0xb8000);
    const char text[] = "Hello  ";
    for (int i = 0; text[i] != '\0'; ++i) vga[i] = static_cast<std::uint16_t>(0x0f00 | text[i]);
#else
#error "define one SELFTEST_* kind"
#endif
    boot_halt();
}
