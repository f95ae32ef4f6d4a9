// Integration test: a kernel stack overflow ends in the double-fault handler, on its own stack.
//
// The recursion runs into the unmapped guard page below the kernel stack (common/boot/boot.S).
// The page fault that follows cannot be delivered -- the CPU would push its frame onto the same
// unmapped page -- so the CPU raises a double fault, which switches to the IST stack first.
// This kernel loads its own IDT: a page-fault handler that fails the test if it is ever
// entered, and a double-fault handler that checks where it runs and reports success. Any other
// outcome (returning, a triple fault) is a failure.

#include <boot/boot.h>

#include "framebuffer.h"
#include "gdt.h"
#include "interrupts.h"
#include "qemu_exit.h"
#include "serial.h"
#include "test_framework.h"

#include <cstdint>

namespace {

constinit interrupts::InterruptDescriptorTable TEST_IDT{};

volatile std::uint64_t depth = 0;

// Each call touches a volatile before and after recursing, so the compiler can neither turn the
// recursion into a loop nor prove it endless.
[[gnu::noinline]] void stack_overflow() {
    depth = depth + 1;
    if (depth != 0) stack_overflow();
    depth = depth + 1;
}

[[noreturn]] void test_double_fault_handler(interrupts::InterruptStackFrame& frame, std::uint64_t) {
    std::uintptr_t rsp;
    asm volatile("mov %%rsp, %0" : "=r"(rsp));
    const auto guard = reinterpret_cast<std::uintptr_t>(__stack_guard);
    const auto bottom = reinterpret_cast<std::uintptr_t>(__stack_bottom);
    if (rsp < gdt::double_fault_stack_bottom() || rsp >= gdt::double_fault_stack_top()) {
        serial_println(
            "[failed]\n\nError: the double-fault handler runs at {:#x}, outside its IST stack "
            "[{:#x}, {:#x})",
            rsp, gdt::double_fault_stack_bottom(), gdt::double_fault_stack_top());
        exit_qemu(QemuExitCode::Failed);
    }
    if (frame.stack_pointer < guard || frame.stack_pointer >= bottom + 4096) {
        serial_println(
            "[failed]\n\nError: the interrupted stack pointer {:#x} is not at the guard page {:#x}",
            frame.stack_pointer, guard);
        exit_qemu(QemuExitCode::Failed);
    }
    serial_println("[ok]");
    serial_println(
        "(double fault on the IST stack at {:#x}; the kernel stack overflowed at {:#x} after {} "
        "calls)",
        rsp, frame.stack_pointer, static_cast<std::uint64_t>(depth));
    exit_qemu(QemuExitCode::Success);
}

// Present so the double fault comes from the page fault that cannot be delivered, not from a
// missing gate. Entering it means the CPU could push a frame after all.
void test_page_fault_handler(interrupts::InterruptStackFrame&, interrupts::PageFaultErrorCode) {
    serial_println("[failed]\n\nError: the page fault was delivered on the overflowed stack");
    exit_qemu(QemuExitCode::Failed);
}

}  // namespace

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    framebuffer::init(multiboot_info_phys);
    serial_print("stack_overflow::stack_overflow...\t");
    gdt::init();
    TEST_IDT.page_fault.set_handler<test_page_fault_handler>();
    TEST_IDT.double_fault.set_handler<test_double_fault_handler>().set_stack_index(
        gdt::DOUBLE_FAULT_IST_INDEX);
    TEST_IDT.load();

    stack_overflow();
    panic("execution continued after the stack overflow");
}

[[noreturn]] void panic_handler(const PanicInfo& info) { test_panic_handler(info); }
