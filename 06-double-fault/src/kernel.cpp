#include "kernel.h"

#include "gdt.h"
#include "interrupts.h"

namespace kernel {

void init() {
    // The GDT first: the TSS it loads holds the double-fault stack the IDT refers to.
    gdt::init();
    // Exceptions: from here on a CPU exception reaches a handler instead of resetting the machine.
    interrupts::init_idt();
}

}  // namespace kernel
