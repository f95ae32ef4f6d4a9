// The Interrupt Descriptor Table: one 16-byte gate per vector telling the CPU where the handler
// for that exception or interrupt is and how to enter it.
//
// Entries are typed by the handler they take: the breakpoint entry accepts only a handler
// without an error code, the page-fault entry only one taking a PageFaultErrorCode, so a handler
// with the wrong signature does not compile (the x86_64 crate's Entry<F> idea). Handlers are
// ordinary functions; the entry generates the `[[gnu::interrupt]]` function the CPU enters,
// which saves every register it uses, calls the handler and returns with iretq.
#pragma once

#include "cpu.h"
#include "format.h"
#include "panic.h"

#include <cstddef>
#include <cstdint>

namespace interrupts {

// What the CPU pushes before entering a handler (Intel SDM Vol. 3A, 6.14.2 "64-Bit Mode Stack
// Frame"), lowest address first. For exceptions with an error code, the code sits below it and
// is passed to the handler as a separate argument.
struct InterruptStackFrame {
    std::uint64_t instruction_pointer;
    std::uint64_t code_segment;
    cpu::RFlags cpu_flags;
    std::uint64_t stack_pointer;
    std::uint64_t stack_segment;
};
static_assert(sizeof(InterruptStackFrame) == 40);

void format_value(fmt::Sink& sink, const InterruptStackFrame& frame, const fmt::Spec& spec);

// A selector error code (SDM Vol. 3A, 6.13 "Error Code", figure 6-6), pushed by #TS, #NP, #SS
// and #GP: which descriptor the fault is about. Zero means none in particular.
class SelectorErrorCode {
public:
    enum class Table : std::uint8_t { Gdt, Idt, Ldt };

    constexpr explicit SelectorErrorCode(std::uint64_t raw) : raw_(raw) {}
    constexpr std::uint64_t raw() const { return raw_; }
    // EXT: the fault happened while delivering an event from outside the program.
    constexpr bool external() const { return (raw_ & EXTERNAL) != 0; }
    // IDT set: the index is a vector; otherwise TI picks the LDT or the GDT.
    constexpr Table table() const {
        return (raw_ & IDT) != 0 ? Table::Idt : (raw_ & TI) != 0 ? Table::Ldt : Table::Gdt;
    }
    constexpr std::uint16_t index() const {
        return static_cast<std::uint16_t>((raw_ >> 3) & 0x1fff);
    }

private:
    static constexpr std::uint64_t EXTERNAL = 1u << 0;
    static constexpr std::uint64_t IDT = 1u << 1;
    static constexpr std::uint64_t TI = 1u << 2;
    std::uint64_t raw_;
};
static_assert(SelectorErrorCode(0x18).table() == SelectorErrorCode::Table::Gdt);
static_assert(SelectorErrorCode(0x18).index() == 3 && !SelectorErrorCode(0x18).external());
static_assert(SelectorErrorCode(0x6b).table() == SelectorErrorCode::Table::Idt);  // vector 13
static_assert(SelectorErrorCode(0x6b).index() == 13 && SelectorErrorCode(0x6b).external());
static_assert(SelectorErrorCode(0x0c).table() == SelectorErrorCode::Table::Ldt);

// A page-fault error code (SDM Vol. 3A, 4.7 "Page-Fault Exceptions", figure 4-12): why the
// access faulted. The address it faulted on is in CR2.
class PageFaultErrorCode {
public:
    static constexpr std::uint64_t PROTECTION_VIOLATION = 1u << 0;  // P: 0 means not present
    static constexpr std::uint64_t CAUSED_BY_WRITE = 1u << 1;       // W/R
    static constexpr std::uint64_t USER_MODE = 1u << 2;             // U/S
    static constexpr std::uint64_t MALFORMED_TABLE = 1u << 3;       // RSVD: a reserved bit set
    static constexpr std::uint64_t INSTRUCTION_FETCH = 1u << 4;     // I/D

    constexpr explicit PageFaultErrorCode(std::uint64_t raw) : raw_(raw) {}
    constexpr std::uint64_t raw() const { return raw_; }
    constexpr bool contains(std::uint64_t flag) const { return (raw_ & flag) == flag; }

private:
    std::uint64_t raw_;
};
static_assert(PageFaultErrorCode(0x3).contains(PageFaultErrorCode::PROTECTION_VIOLATION |
                                               PageFaultErrorCode::CAUSED_BY_WRITE));
static_assert(!PageFaultErrorCode(0x10).contains(PageFaultErrorCode::CAUSED_BY_WRITE));

// The handlers the kernel writes: ordinary functions that get the frame, and for the vectors
// that push one, the error code, typed as what it encodes.
using Handler = void(InterruptStackFrame& frame);
template <typename Code>
using HandlerWith = void(InterruptStackFrame& frame, Code error_code);
using HandlerWithErrorCode = HandlerWith<std::uint64_t>;

// The functions the CPU enters, one generated per handler. `[[gnu::interrupt]]` gives them the
// interrupt ABI: they save every register they touch, find the frame (and the error code) where
// the CPU pushed it, and return with iretq. A plain function in an IDT entry would return with
// ret into the middle of the frame; these are the only functions an Entry installs.
template <Handler* H>
[[gnu::interrupt]] void interrupt_entry(InterruptStackFrame* frame) {
    H(*frame);
}
template <typename Code, HandlerWith<Code>* H>
[[gnu::interrupt]] void interrupt_entry_with_code(InterruptStackFrame* frame, std::uint64_t code) {
    H(*frame, Code(code));
}

// Picks the entry function for a handler type.
template <typename F>
struct EntryFunction;
template <>
struct EntryFunction<Handler> {
    template <Handler* H>
    static constexpr auto of = &interrupt_entry<H>;
};
template <typename Code>
struct EntryFunction<HandlerWith<Code>> {
    template <HandlerWith<Code>* H>
    static constexpr auto of = &interrupt_entry_with_code<Code, H>;
};

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

    // Installs handler H behind its generated interrupt entry: present, interrupt gate, the
    // current code segment. Returns the options for further changes (privilege level, gate
    // type, stack). Use: IDT.breakpoint.set_handler<breakpoint_handler>().
    template <F* H>
    EntryOptions& set_handler() {
        // LAB(idt-entry): fill the gate: handler address in three parts, selector, options
        // STUB: panic("lab idt-entry: not written yet");
        const auto address = reinterpret_cast<std::uint64_t>(EntryFunction<F>::template of<H>);
        offset_low_ = static_cast<std::uint16_t>(address);
        offset_mid_ = static_cast<std::uint16_t>(address >> 16);
        offset_high_ = static_cast<std::uint32_t>(address >> 32);
        selector_ = current_code_segment();
        options_ = EntryOptions().set_present(true);
        return options_;
        // END LAB(idt-entry)
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
    Entry<HandlerWith<SelectorErrorCode>> invalid_tss;               // 10 #TS
    Entry<HandlerWith<SelectorErrorCode>> segment_not_present;       // 11 #NP
    Entry<HandlerWith<SelectorErrorCode>> stack_segment_fault;       // 12 #SS
    Entry<HandlerWith<SelectorErrorCode>> general_protection_fault;  // 13 #GP
    Entry<HandlerWith<PageFaultErrorCode>> page_fault;               // 14 #PF
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

// Error codes as reports show them: the raw value, then what it says.
void format_value(fmt::Sink& sink, const SelectorErrorCode& code, const fmt::Spec& spec);
void format_value(fmt::Sink& sink, const PageFaultErrorCode& code, const fmt::Spec& spec);

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
