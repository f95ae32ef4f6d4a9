#include "kernel.h"

#include "cpu.h"
#include "gdt.h"
#include "interrupts.h"
#include "pic.h"

namespace kernel {

void init() {
    // The GDT first: the TSS it loads holds the double-fault stack the IDT refers to.
    gdt::init();
    // Exceptions: from here on a CPU exception reaches a handler instead of resetting the machine.
    interrupts::init_idt();
    // The PICs must deliver on vectors 32..47 before interrupts are allowed in; out of reset
    // their vectors overlap the CPU exceptions.
    pic::PICS.lock()->initialize();
    cpu::enable_interrupts();
}

}  // namespace kernel
