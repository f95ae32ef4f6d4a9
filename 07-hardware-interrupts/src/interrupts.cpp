#include "interrupts.h"

#include "gdt.h"
#include "keyboard.h"
#include "panic.h"
#include "pic.h"
#include "port.h"
#include "serial.h"
#include "vga_buffer.h"

#include <atomic>
#include <utility>

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

const char* exception_name(std::uint8_t vector) {
    static constexpr const char* names[32] = {
        "DIVIDE ERROR",
        "DEBUG",
        "NON-MASKABLE INTERRUPT",
        "BREAKPOINT",
        "OVERFLOW",
        "BOUND RANGE EXCEEDED",
        "INVALID OPCODE",
        "DEVICE NOT AVAILABLE",
        "DOUBLE FAULT",
        "COPROCESSOR SEGMENT OVERRUN",
        "INVALID TSS",
        "SEGMENT NOT PRESENT",
        "STACK-SEGMENT FAULT",
        "GENERAL PROTECTION FAULT",
        "PAGE FAULT",
        "RESERVED (15)",
        "X87 FLOATING-POINT ERROR",
        "ALIGNMENT CHECK",
        "MACHINE CHECK",
        "SIMD FLOATING-POINT EXCEPTION",
        "VIRTUALIZATION EXCEPTION",
        "CONTROL PROTECTION EXCEPTION",
        "RESERVED (22)",
        "RESERVED (23)",
        "RESERVED (24)",
        "RESERVED (25)",
        "RESERVED (26)",
        "RESERVED (27)",
        "HYPERVISOR INJECTION EXCEPTION",
        "VMM COMMUNICATION EXCEPTION",
        "SECURITY EXCEPTION",
        "RESERVED (31)",
    };
    return vector < 32 ? names[vector] : "INTERRUPT";
}

void format_value(fmt::Sink& sink, const SelectorErrorCode& code, const fmt::Spec&) {
    fmt::format_to(sink, "error code: {:#x}", code.raw());
    // Zero means "not about a particular segment", which is what most #GPs in 64-bit mode are.
    if (code.raw() == 0) return;
    constexpr const char* tables[] = {"GDT", "IDT", "LDT"};
    fmt::format_to(sink, " ({} index {}{})", tables[static_cast<int>(code.table())], code.index(),
                   code.external() ? ", external event" : "");
}

void format_value(fmt::Sink& sink, const PageFaultErrorCode& code, const fmt::Spec&) {
    // LAB(page-fault-error-code): name each bit of the error code: P, W/R, U/S, RSVD, I/D
    // STUB: (void)sink, (void)code;
    // STUB: panic("lab page-fault-error-code: not written yet");
    using E = PageFaultErrorCode;
    fmt::format_to(sink, "error code: {:#x} ({}, {}, {} mode{}{})", code.raw(),
                   code.contains(E::PROTECTION_VIOLATION) ? "protection violation" : "not present",
                   code.contains(E::CAUSED_BY_WRITE) ? "write" : "read",
                   code.contains(E::USER_MODE) ? "user" : "kernel",
                   code.contains(E::MALFORMED_TABLE) ? ", reserved bit set" : "",
                   code.contains(E::INSTRUCTION_FETCH) ? ", instruction fetch" : "");
    // END LAB(page-fault-error-code)
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

// Runs on the IST stack (see gdt.h): the kernel stack may be the very thing that failed.
[[noreturn]] void double_fault_handler(InterruptStackFrame& frame, std::uint64_t /*always 0*/) {
    panic("EXCEPTION: DOUBLE FAULT\n{}", frame);
}

[[noreturn]] void report(std::uint8_t vector, const InterruptStackFrame& frame) {
    panic("EXCEPTION: {} (vector {})\n{}", exception_name(vector), vector, frame);
}

[[noreturn]] void report(std::uint8_t vector, const InterruptStackFrame& frame,
                         std::uint64_t code) {
    panic("EXCEPTION: {} (vector {})\nerror code: {:#x}\n{}", exception_name(vector), vector, code,
          frame);
}

// A typed error code shows what it says (format_value above).
template <typename Code>
[[noreturn]] void report(std::uint8_t vector, const InterruptStackFrame& frame, Code code) {
    panic("EXCEPTION: {} (vector {})\n{}\n{}", exception_name(vector), vector, code, frame);
}

// One handler per remaining vector: the vector number is known only by which function ran.
template <std::uint8_t Vector>
void exception_handler(InterruptStackFrame& frame) {
    report(Vector, frame);
}

template <std::uint8_t Vector, typename Code>
void exception_handler_with_code(InterruptStackFrame& frame, Code code) {
    report(Vector, frame, code);
}

constinit std::atomic<std::uint64_t> ticks{0};

// Hardware interrupt handlers do their work, then tell the PIC they are done; until then the
// PIC delivers no further interrupt of the same or lower priority.
void timer_interrupt_handler(InterruptStackFrame&) {
    ticks.fetch_add(1, std::memory_order_relaxed);
    print(".");
    pic::PICS.lock()->notify_end_of_interrupt(static_cast<std::uint8_t>(InterruptIndex::Timer));
}

constinit Spinlock<keyboard::Keyboard> KEYBOARD{keyboard::Keyboard{}};

// The PS/2 controller's data port: reading it takes the scancode and lets the controller send
// the next one (and the next interrupt).
constexpr std::uint16_t PS2_DATA_PORT = 0x60;

void keyboard_interrupt_handler(InterruptStackFrame&) {
    const std::uint8_t scancode = port::Port<std::uint8_t, port::ReadOnly>(PS2_DATA_PORT).read();
    {
        auto keyboard = KEYBOARD.lock();
        if (const auto event = keyboard->add_byte(scancode)) {
            if (const auto key = keyboard->process_keyevent(*event)) {
                // Keys go to the screen and, for headless runs and tests, to serial as well.
                if (key->kind == keyboard::DecodedKey::Kind::Unicode) {
                    print("{}", key->character);
                    serial_print("{}", key->character);
                } else {
                    print("{}", key->key);
                    serial_print("{}", key->key);
                }
            }
        }
    }
    pic::PICS.lock()->notify_end_of_interrupt(static_cast<std::uint8_t>(InterruptIndex::Keyboard));
}

template <std::size_t... I>
void set_reserved_22_27(std::index_sequence<I...>) {
    (IDT.reserved_22_27[I].set_handler<exception_handler<22 + I>>(), ...);
}

}  // namespace

void init_idt() {
    IDT.divide_error.set_handler<exception_handler<0>>();
    IDT.debug.set_handler<exception_handler<1>>();
    IDT.non_maskable_interrupt.set_handler<exception_handler<2>>();
    IDT.breakpoint.set_handler<breakpoint_handler>();
    IDT.overflow.set_handler<exception_handler<4>>();
    IDT.bound_range_exceeded.set_handler<exception_handler<5>>();
    IDT.invalid_opcode.set_handler<exception_handler<6>>();
    IDT.device_not_available.set_handler<exception_handler<7>>();
    IDT.double_fault.set_handler<double_fault_handler>().set_stack_index(
        gdt::DOUBLE_FAULT_IST_INDEX);
    IDT.coprocessor_segment_overrun.set_handler<exception_handler<9>>();
    IDT.invalid_tss.set_handler<exception_handler_with_code<10, SelectorErrorCode>>();
    IDT.segment_not_present.set_handler<exception_handler_with_code<11, SelectorErrorCode>>();
    IDT.stack_segment_fault.set_handler<exception_handler_with_code<12, SelectorErrorCode>>();
    IDT.general_protection_fault.set_handler<exception_handler_with_code<13, SelectorErrorCode>>();
    IDT.page_fault.set_handler<exception_handler_with_code<14, PageFaultErrorCode>>();
    IDT.reserved_15.set_handler<exception_handler<15>>();
    IDT.x87_floating_point.set_handler<exception_handler<16>>();
    IDT.alignment_check.set_handler<exception_handler_with_code<17, std::uint64_t>>();
    IDT.machine_check.set_handler<exception_handler<18>>();
    IDT.simd_floating_point.set_handler<exception_handler<19>>();
    IDT.virtualization.set_handler<exception_handler<20>>();
    IDT.control_protection.set_handler<exception_handler_with_code<21, std::uint64_t>>();
    set_reserved_22_27(std::make_index_sequence<6>{});
    IDT.hypervisor_injection.set_handler<exception_handler<28>>();
    IDT.vmm_communication.set_handler<exception_handler_with_code<29, std::uint64_t>>();
    IDT.security.set_handler<exception_handler_with_code<30, std::uint64_t>>();
    IDT.reserved_31.set_handler<exception_handler<31>>();
    IDT.interrupts[static_cast<std::uint8_t>(InterruptIndex::Timer) - 32]
        .set_handler<timer_interrupt_handler>();
    IDT.interrupts[static_cast<std::uint8_t>(InterruptIndex::Keyboard) - 32]
        .set_handler<keyboard_interrupt_handler>();
    IDT.load();
}

std::uint64_t breakpoint_count() { return breakpoints.load(std::memory_order_relaxed); }
std::uint64_t timer_ticks() { return ticks.load(std::memory_order_relaxed); }

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

// With interrupts on, the timer keeps interrupting: each hlt returns after some interrupt, and
// after a few of them the tick count has moved.
KERNEL_TEST(test_timer_ticks) {
    ASSERT_TRUE(cpu::interrupts_enabled());
    const std::uint64_t before = timer_ticks();
    for (int i = 0; i < 5 && timer_ticks() == before; ++i) cpu::halt();
    ASSERT_TRUE(timer_ticks() > before);
}

}  // namespace interrupts
#endif
