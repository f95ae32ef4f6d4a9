// The Global Descriptor Table and the Task State Segment.
//
// In 64-bit mode segmentation is mostly gone, but two pieces remain: the code segment (which
// says "64-bit code, ring 0") and the TSS, which no longer switches tasks but holds the
// Interrupt Stack Table: up to seven known-good stacks that IDT entries can ask the CPU to
// switch to before pushing the interrupt frame. The double-fault handler uses one, so it still
// runs when the kernel stack is unusable.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gdt {

// Intel SDM Vol. 3A, 8.7 "Task Management in 64-bit Mode", figure 8-11 "64-Bit TSS Format".
struct [[gnu::packed]] TaskStateSegment {
    std::uint32_t reserved_1;
    std::uint64_t privilege_stack_table[3];  // RSP0..RSP2: stacks for privilege changes
    std::uint64_t reserved_2;
    std::uint64_t interrupt_stack_table[7];  // IST1..IST7 (index 0 here is IST1)
    std::uint64_t reserved_3;
    std::uint16_t reserved_4;
    std::uint16_t io_map_base;
};
static_assert(sizeof(TaskStateSegment) == 104);
static_assert(offsetof(TaskStateSegment, privilege_stack_table) == 4);
static_assert(offsetof(TaskStateSegment, interrupt_stack_table) == 36);
static_assert(offsetof(TaskStateSegment, io_map_base) == 102);

// A segment selector: table index, table indicator (0 = GDT) and requested privilege level.
class SegmentSelector {
public:
    constexpr SegmentSelector(std::uint16_t index, std::uint8_t rpl)
        : raw_(static_cast<std::uint16_t>(index << 3 | (rpl & 0x3))) {}
    constexpr std::uint16_t raw() const { return raw_; }
    constexpr std::uint16_t index() const { return raw_ >> 3; }

private:
    std::uint16_t raw_;
};
static_assert(SegmentSelector(1, 0).raw() == 0x08);
static_assert(SegmentSelector(2, 0).raw() == 0x10);

// Intel SDM Vol. 3A, 3.4.5 "Segment Descriptors" and 8.2.3 "TSS Descriptor in 64-bit mode".
namespace descriptor {
inline constexpr std::uint64_t ACCESSED = 1ull << 40;
inline constexpr std::uint64_t READABLE = 1ull << 41;
inline constexpr std::uint64_t EXECUTABLE = 1ull << 43;
inline constexpr std::uint64_t USER_SEGMENT = 1ull << 44;  // S: code/data rather than system
inline constexpr std::uint64_t PRESENT = 1ull << 47;
inline constexpr std::uint64_t LIMIT_0_15 = 0xffffull;
inline constexpr std::uint64_t LIMIT_16_19 = 0xfull << 48;
inline constexpr std::uint64_t LONG_MODE = 1ull << 53;  // L: 64-bit code
inline constexpr std::uint64_t GRANULARITY = 1ull << 55;
inline constexpr std::uint64_t TSS_AVAILABLE_64 = 0x9ull << 40;  // system type 1001b

// Base and limit are ignored for 64-bit code, but set to the conventional flat values.
inline constexpr std::uint64_t KERNEL_CODE = LIMIT_0_15 | LIMIT_16_19 | ACCESSED | READABLE |
                                             EXECUTABLE | USER_SEGMENT | PRESENT | LONG_MODE |
                                             GRANULARITY;
static_assert(KERNEL_CODE == 0x00af'9b00'0000'ffff);

struct SystemDescriptor {
    std::uint64_t low;
    std::uint64_t high;
};

// A TSS takes two GDT slots: base bits 0..23 and 24..31 in the low word, 32..63 in the high one.
constexpr SystemDescriptor tss(std::uint64_t base, std::uint32_t limit) {
    const std::uint64_t low = (limit & 0xffffull) | (base & 0xff'ffffull) << 16 | TSS_AVAILABLE_64 |
                              PRESENT | (std::uint64_t{limit} >> 16 & 0xf) << 48 |
                              (base >> 24 & 0xff) << 56;
    return SystemDescriptor{low, base >> 32};
}
static_assert(tss(0x1122'3344'5566'7788, 103).low == 0x5500'8966'7788'0067);
static_assert(tss(0x1122'3344'5566'7788, 103).high == 0x1122'3344);
}  // namespace descriptor

// The IST slot (0-based) of the double-fault handler's stack; the IDT entry stores index + 1.
inline constexpr std::uint16_t DOUBLE_FAULT_IST_INDEX = 0;
inline constexpr std::size_t DOUBLE_FAULT_STACK_SIZE = 4096 * 5;

inline constexpr SegmentSelector KERNEL_CODE_SELECTOR{1, 0};
inline constexpr SegmentSelector TSS_SELECTOR{2, 0};

// Loads the GDT, reloads CS with the kernel code selector and loads the task register.
// Must be called once, before the IDT that refers to the IST is used.
void init();

// Where the double-fault stack lies, [bottom, top): tests check the handler ran on it.
std::uintptr_t double_fault_stack_bottom();
std::uintptr_t double_fault_stack_top();

}  // namespace gdt
