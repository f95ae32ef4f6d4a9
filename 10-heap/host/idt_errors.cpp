// Handlers the IDT must refuse, one per IDT_ERROR_CASE; CTest compiles each case on its own
// (-fsyntax-only) and expects the compiler's refusal. Case 0 installs correct handlers and must
// compile without a warning.
#include "interrupts.h"

#include <cstdint>

namespace {

using interrupts::InterruptStackFrame;

void handler(InterruptStackFrame&) {}
void handler_with_code(InterruptStackFrame&, std::uint64_t) {}
void page_fault_handler(InterruptStackFrame&, interrupts::PageFaultErrorCode) {}

interrupts::InterruptDescriptorTable idt;

}  // namespace

#if IDT_ERROR_CASE == 3
// A hand-written interrupt service routine: it has the interrupt ABI itself, so the entry must
// not wrap it again (and it does not take the frame by reference, so it is no Handler).
[[gnu::interrupt]] void service_routine(InterruptStackFrame*) {}
#endif

void install() {
#if IDT_ERROR_CASE == 0
    idt.breakpoint.set_handler<handler>();
    idt.double_fault.set_handler<handler_with_code>();
    idt.page_fault.set_handler<page_fault_handler>();
#elif IDT_ERROR_CASE == 1
    // An error code on a vector that pushes none: the handler would read RIP as the code.
    idt.breakpoint.set_handler<handler_with_code>();
#elif IDT_ERROR_CASE == 2
    // A page-fault handler must take the page-fault error code, typed.
    idt.page_fault.set_handler<handler_with_code>();
#elif IDT_ERROR_CASE == 3
    idt.breakpoint.set_handler<service_routine>();
#endif
}
