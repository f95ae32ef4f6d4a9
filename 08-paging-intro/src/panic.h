// Panics: the kernel's answer to a state it cannot continue from. panic() formats its message
// like print and hands it, with the source location of the call, to panic_handler -- which every
// kernel defines for itself: the kernel shows it on screen, a test kernel reports a failed test.
#pragma once

#include "format.h"

#include <array>

struct PanicInfo {
    fmt::SourceLocation location;
    const char* format;
    const fmt::Arg* args;
    std::size_t count;

    // "PANIC at <file>:<line>:<column>: <message>"
    void print(fmt::Sink& sink) const;
};

// Defined by each kernel (its main file or test file).
[[noreturn]] void panic_handler(const PanicInfo& info);

// Shows the panic on the VGA screen and stops the CPU: what the kernel's panic_handler does.
[[noreturn]] void show_panic_and_halt(const PanicInfo& info);

[[noreturn]] void panic_args(const fmt::SourceLocation& location, const char* format,
                             const fmt::Arg* args, std::size_t count);

template <typename... Args>
[[noreturn]] void panic(fmt::FormatString<Args...> format, const Args&... args) {
    const std::array<fmt::Arg, sizeof...(Args)> erased{fmt::make_arg(args)...};
    panic_args(format.location, format.text, erased.data(), erased.size());
}
