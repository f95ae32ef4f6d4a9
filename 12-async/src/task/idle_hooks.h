// The CPU operations Executor::sleep_if_idle needs, as replaceable function pointers: in the
// kernel the real instructions, in host tests a fake CPU that records what happened (user space
// may not execute cli, sti or hlt).
#pragma once

#include "cpu.h"

namespace task {

struct IdleHooks {
    bool (*interrupts_enabled)();
    void (*disable_interrupts)();
    void (*enable_interrupts)();
    // Enables interrupts and halts until the next interrupt, with no gap between the two in
    // which an interrupt could be handled (x86: `sti; hlt`).
    void (*enable_interrupts_and_halt)();
};

// The kernel's: RFLAGS.IF, cli, sti, `sti; hlt`.
[[nodiscard]] constexpr IdleHooks cpu_idle_hooks() noexcept {
    return {cpu::interrupts_enabled, cpu::disable_interrupts, cpu::enable_interrupts,
            cpu::enable_interrupts_and_halt};
}

}  // namespace task
