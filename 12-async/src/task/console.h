// Where the task code prints: the keys print_keypresses decodes, and the warnings of the queues
// (a dropped key, a dropped wake-up).
//
// The task code is pure logic that also runs in host tests, so it cannot call the kernel's
// println directly. It calls task::print/println instead, and the one function below decides
// where the text goes. The kernel defines it to print on the screen and on serial, the host
// tests to record the text for their assertions.
//
// May be called from an interrupt handler (add_scancode warns from IRQ1), so the definition must
// not allocate and must not take a lock that normal code holds with interrupts on. The kernel's
// print functions qualify: their locks keep interrupts off while held (stage 07).
#pragma once

#include "format.h"

#include <cstddef>

namespace task {

// Defined by the kernel (VGA and serial) and by the host tests (a recording).
void console_print_args(const char* format, const fmt::Arg* args, std::size_t count, bool newline);

template <typename... Args>
void print(fmt::FormatString<Args...> format, const Args&... args) {
    fmt::print_with(console_print_args, false, format, args...);
}

template <typename... Args>
void println(fmt::FormatString<Args...> format, const Args&... args) {
    fmt::print_with(console_print_args, true, format, args...);
}

}  // namespace task
