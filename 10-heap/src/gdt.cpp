#include "gdt.h"

#include "panic.h"

namespace gdt {

namespace {

alignas(16) constinit std::uint8_t double_fault_stack[DOUBLE_FAULT_STACK_SIZE]{};

// LAB(gdt-tss): the TSS and the GDT the kernel loads
constinit TaskStateSegment tss{};

// null, kernel code, TSS (two slots)
constinit std::uint64_t gdt[4]{};
// END LAB(gdt-tss)

}  // namespace

std::uintptr_t double_fault_stack_bottom() {
    return reinterpret_cast<std::uintptr_t>(double_fault_stack);
}
std::uintptr_t double_fault_stack_top() {
    return double_fault_stack_bottom() + DOUBLE_FAULT_STACK_SIZE;
}

void init() {
    // LAB(gdt-tss): IST entry, GDT entries, lgdt, reload CS, ltr
    // STUB: panic("lab gdt-tss: not written yet");
    // Stacks grow down: the IST entry holds the top of the stack.
    tss.interrupt_stack_table[DOUBLE_FAULT_IST_INDEX] = double_fault_stack_top();
    tss.io_map_base = sizeof(TaskStateSegment);  // no I/O permission bitmap

    const auto tss_descriptor =
        descriptor::tss(reinterpret_cast<std::uint64_t>(&tss), sizeof(TaskStateSegment) - 1);
    gdt[0] = 0;
    gdt[KERNEL_CODE_SELECTOR.index()] = descriptor::KERNEL_CODE;
    gdt[TSS_SELECTOR.index()] = tss_descriptor.low;
    gdt[TSS_SELECTOR.index() + 1] = tss_descriptor.high;

    struct [[gnu::packed]] {
        std::uint16_t limit;
        std::uint64_t base;
    } const pointer{sizeof gdt - 1, reinterpret_cast<std::uint64_t>(gdt)};
    asm volatile("lgdt %0" : : "m"(pointer) : "memory");

    // CS cannot be written with mov: a far return pops the new RIP and CS.
    asm volatile(
        "pushq %[selector]\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:"
        :
        : [selector] "i"(KERNEL_CODE_SELECTOR.raw())
        : "rax", "memory");
    // The data segment registers hold the null selector since the boot shim, which 64-bit
    // mode allows in ring 0, so they need no reload.
    asm volatile("ltr %0" : : "r"(TSS_SELECTOR.raw()) : "memory");
    // END LAB(gdt-tss)
}

}  // namespace gdt
