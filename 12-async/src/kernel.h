// Bringing the kernel's CPU structures up, in the one order that works.
#pragma once

namespace kernel {

// Loads the GDT (with the TSS) and the IDT, remaps the PICs and enables interrupts. Call once,
// early in kernel_main (test kernels too).
void init();

}  // namespace kernel
