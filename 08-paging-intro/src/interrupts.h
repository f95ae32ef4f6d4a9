// The Interrupt Descriptor Table: one 16-byte gate per vector telling the CPU where the handler
// for that exception or interrupt is and how to enter it.
//
// Entries are typed by the handler they take: the breakpoint entry accepts only a handler
// without an error code, the double-fault entry only one with an error code, so a handler with
// the wrong signature does not compile (the x86_64 crate's Entry<F> idea). Handlers are
// `[[gnu::interrupt]]` functions: the compiler saves every register they use and returns with
// iretq.
#pragma once

#include "format.h"

#include <cstddef>
#include <cstdint>

namespace interrupts {

// What the CPU pushes before entering a handler (Intel SDM Vol. 3A, 6.14.2 "64-Bit Mode Stack
// Frame"), lowest address first. For exceptions with an error code, the code sits below it and
// is passed to the handler as a separate argument.
struct InterruptStackFrame {
    std::uint64_t instruction_pointer;
    std::uint64_t code_segment;
    std::uint64_t cpu_flags;
    std::uint64_t stack_pointer;
    std::uint64_t stack_segment;
};
static_assert(sizeof(InterruptStackFrame) == 40);

void format_value(fmt::Sink& sink, const InterruptStackFrame& frame, const fmt::Spec& spec);

using Handler = void (*)(InterruptStackFrame*);
using HandlerWithErrorCode = void (*)(InterruptStackFrame*, std::uint64_t);

// Intel SDM Vol. 3A, 6.14.1 "64-Bit Mode IDT", figure 6-8: a 64-bit interrupt/trap gate.
class EntryOptions {
public:
    // Not present, interrupt gate (type 0xE: interrupts stay off in the handler), DPL 0.
    constexpr EntryOptions() = default;

    constexpr EntryOptions& set_present(bool present) {
        raw_ = static_cast<std::uint16_t>(present ? raw_ | PRESENT : raw_ & ~PRESENT);
        return *this;
    }
    // Trap gates (type 0xF) leave interrupts enabled while the handler runs.
    constexpr EntryOptions& disable_interrupts(bool disable) {
        raw_ = static_cast<std::uint16_t>(disable ? raw_ & ~TRAP_BIT : raw_ | TRAP_BIT);
        return *this;
    }
    constexpr EntryOptions& set_privilege_level(std::uint8_t dpl) {
        raw_ = static_cast<std::uint16_t>((raw_ & ~DPL_MASK) | ((dpl & 0x3) << 13));
        return *this;
    }
    // Switch to stack index (0..6) of the TSS's Interrupt Stack Table before entering the
    // handler. The hardware field counts from 1 (0 means "no switch"), hence the + 1.
    constexpr EntryOptions& set_stack_index(std::uint16_t index) {
        raw_ = static_cast<std::uint16_t>((raw_ & ~IST_MASK) | ((index + 1) & IST_MASK));
        return *this;
    }
    constexpr bool present() const { return (raw_ & PRESENT) != 0; }
    constexpr std::uint16_t raw() const { return raw_; }

private:
    static constexpr std::uint16_t IST_MASK = 0x7;
    static constexpr std::uint16_t PRESENT = 1u << 15;
    static constexpr std::uint16_t DPL_MASK = 0x3u << 13;
    static constexpr std::uint16_t TRAP_BIT = 1u << 8;  // type 0xE -> 0xF
    static constexpr std::uint16_t INTERRUPT_GATE = 0xEu << 8;
    std::uint16_t raw_ = INTERRUPT_GATE;
};

static_assert(EntryOptions().raw() == 0x0e00);
static_assert(EntryOptions().set_present(true).raw() == 0x8e00);
static_assert(EntryOptions().set_present(true).disable_interrupts(false).raw() == 0x8f00);
static_assert(EntryOptions().set_present(true).set_privilege_level(3).raw() == 0xee00);
static_assert(EntryOptions().set_present(true).set_stack_index(0).raw() == 0x8e01);

// The raw handler address split over three fields, as in figure 6-8 of the SDM.
constexpr std::uint64_t join_offset(std::uint16_t low, std::uint16_t mid, std::uint32_t high) {
    return std::uint64_t{low} | std::uint64_t{mid} << 16 | std::uint64_t{high} << 32;
}

std::uint16_t current_code_segment();

// One 16-byte gate that accepts handlers of type F only. The layout is the hardware's.
template <typename F>
class Entry {
public:
    constexpr Entry() = default;

    // Installs the handler: present, interrupt gate, the current code segment. Returns the
    // options for further changes (privilege level, gate type, stack).
    EntryOptions& set_handler(F handler) {
        const auto address = reinterpret_cast<std::uint64_t>(handler);
        offset_low_ = static_cast<std::uint16_t>(address);
        offset_mid_ = static_cast<std::uint16_t>(address >> 16);
        offset_high_ = static_cast<std::uint32_t>(address >> 32);
        selector_ = current_code_segment();
        options_ = EntryOptions().set_present(true);
        return options_;
    }
    constexpr bool present() const { return options_.present(); }
    constexpr std::uint64_t handler_address() const {
        return join_offset(offset_low_, offset_mid_, offset_high_);
    }
    constexpr std::uint16_t selector() const { return selector_; }
    constexpr const EntryOptions& options() const { return options_; }

private:
    std::uint16_t offset_low_ = 0;   // handler address bits 0..15
    std::uint16_t selector_ = 0;     // code segment the handler runs in
    EntryOptions options_{};         // IST, type, DPL, present
    std::uint16_t offset_mid_ = 0;   // bits 16..31
    std::uint32_t offset_high_ = 0;  // bits 32..63
    std::uint32_t reserved_ = 0;
};
static_assert(sizeof(Entry<Handler>) == 16);

// The whole table, one named entry per architectural exception (SDM Vol. 3A, table 6-1), then
// the 224 vectors for interrupts. Reserved vectors get entries too, so the layout matches.
struct InterruptDescriptorTable {
    Entry<Handler> divide_error;                 // 0  #DE
    Entry<Handler> debug;                        // 1  #DB
    Entry<Handler> non_maskable_interrupt;       // 2  NMI
    Entry<Handler> breakpoint;                   // 3  #BP
    Entry<Handler> overflow;                     // 4  #OF
    Entry<Handler> bound_range_exceeded;         // 5  #BR
    Entry<Handler> invalid_opcode;               // 6  #UD
    Entry<Handler> device_not_available;         // 7  #NM
    Entry<HandlerWithErrorCode> double_fault;    // 8  #DF, error code always 0, must not return
    Entry<Handler> coprocessor_segment_overrun;  // 9  (not generated by 64-bit CPUs)
    Entry<HandlerWithErrorCode> invalid_tss;     // 10 #TS
    Entry<HandlerWithErrorCode> segment_not_present;       // 11 #NP
    Entry<HandlerWithErrorCode> stack_segment_fault;       // 12 #SS
    Entry<HandlerWithErrorCode> general_protection_fault;  // 13 #GP
    Entry<HandlerWithErrorCode> page_fault;                // 14 #PF
    Entry<Handler> reserved_15;
    Entry<Handler> x87_floating_point;               // 16 #MF
    Entry<HandlerWithErrorCode> alignment_check;     // 17 #AC
    Entry<Handler> machine_check;                    // 18 #MC, must not return
    Entry<Handler> simd_floating_point;              // 19 #XM
    Entry<Handler> virtualization;                   // 20 #VE
    Entry<HandlerWithErrorCode> control_protection;  // 21 #CP
    Entry<Handler> reserved_22_27[6];
    Entry<Handler> hypervisor_injection;            // 28 #HV
    Entry<HandlerWithErrorCode> vmm_communication;  // 29 #VC
    Entry<HandlerWithErrorCode> security;           // 30 #SX
    Entry<Handler> reserved_31;
    Entry<Handler> interrupts[256 - 32];  // 32..255: hardware and software interrupts

    // Installs the table in the CPU (lidt). The table must outlive its use: keep it static.
    void load() const;
};
static_assert(sizeof(InterruptDescriptorTable) == 256 * 16);
static_assert(offsetof(InterruptDescriptorTable, breakpoint) == 3 * 16);
static_assert(offsetof(InterruptDescriptorTable, double_fault) == 8 * 16);
static_assert(offsetof(InterruptDescriptorTable, page_fault) == 14 * 16);
static_assert(offsetof(InterruptDescriptorTable, hypervisor_injection) == 28 * 16);
static_assert(offsetof(InterruptDescriptorTable, interrupts) == 32 * 16);

// Sets up the kernel's IDT and loads it: the breakpoint handler returns, the double-fault
// handler runs on its own stack (gdt::init must have run), every other exception is reported
// with its name, decoded error code and frame, and panics.
void init_idt();

// The architectural name of exception vector 0..31 (SDM Vol. 3A, table 6-1).
const char* exception_name(std::uint8_t vector);

// An exception's error code, shown decoded for the vectors that push one.
struct ErrorCode {
    std::uint8_t vector;
    std::uint64_t code;
};
void format_value(fmt::Sink& sink, const ErrorCode& error, const fmt::Spec& spec);

// How many breakpoints the handler has seen (tests check that it really ran).
std::uint64_t breakpoint_count();

// The vectors of the PIC's interrupt lines (pic.h remaps IRQ n to vector 32 + n).
enum class InterruptIndex : std::uint8_t {
    Timer = 32,     // IRQ 0: the programmable interval timer, about 18.2 times a second
    Keyboard = 33,  // IRQ 1: the PS/2 keyboard controller
};

// Timer interrupts handled since boot.
std::uint64_t timer_ticks();

}  // namespace interrupts
