#include "interrupts.h"

#include "vga_buffer.h"

#include <atomic>

namespace interrupts {

void format_value(fmt::Sink& sink, const InterruptStackFrame& frame, const fmt::Spec&) {
    fmt::format_to(sink,
                   "InterruptStackFrame {{\n"
                   "    instruction_pointer: {:#x},\n"
                   "    code_segment: {:#x},\n"
                   "    cpu_flags: {:#x},\n"
                   "    stack_pointer: {:#x},\n"
                   "    stack_segment: {:#x},\n"
                   "}}",
                   frame.instruction_pointer, frame.code_segment, frame.cpu_flags.bits(),
                   frame.stack_pointer, frame.stack_segment);
}

std::uint16_t current_code_segment() {
    std::uint16_t cs;
    asm volatile("mov %%cs, %0" : "=r"(cs));
    return cs;
}

void InterruptDescriptorTable::load() const {
    // The operand of lidt: limit (size - 1) and linear base address (SDM Vol. 3A, 6.10).
    struct [[gnu::packed]] {
        std::uint16_t limit;
        std::uint64_t base;
    } const pointer{sizeof(InterruptDescriptorTable) - 1, reinterpret_cast<std::uint64_t>(this)};
    asm volatile("lidt %0" : : "m"(pointer));
}

namespace {

constinit InterruptDescriptorTable IDT{};
constinit std::atomic<std::uint64_t> breakpoints{0};

void breakpoint_handler(InterruptStackFrame& frame) {
    // LAB(breakpoint-handler): count the breakpoint and print the exception with its frame
    // STUB: (void)frame;
    // STUB: panic("lab breakpoint-handler: not written yet");
    breakpoints.fetch_add(1, std::memory_order_relaxed);
    println("EXCEPTION: BREAKPOINT\n{}", frame);
    // END LAB(breakpoint-handler)
}

}  // namespace

void init_idt() {
    IDT.breakpoint.set_handler<breakpoint_handler>();
    IDT.load();
}

std::uint64_t breakpoint_count() { return breakpoints.load(std::memory_order_relaxed); }

}  // namespace interrupts

#if defined(UNIT_TESTS)
#include "test_framework.h"

namespace interrupts {

// int3 raises #BP; the handler runs and execution continues after the instruction.
KERNEL_TEST(test_breakpoint_exception) {
    const std::uint64_t before = breakpoint_count();
    asm volatile("int3");
    ASSERT_EQ(breakpoint_count(), before + 1);
}

}  // namespace interrupts
#endif
