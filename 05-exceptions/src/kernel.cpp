#include "kernel.h"

#include "interrupts.h"

namespace kernel {

void init() {
    // Exceptions: from here on a CPU exception reaches a handler instead of resetting the machine.
    interrupts::init_idt();
}

}  // namespace kernel
