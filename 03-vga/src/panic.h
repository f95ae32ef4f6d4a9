// Panics: the kernel's answer to a state it cannot continue from. The message is formatted like
// print's, shown with the source location of the panic call, and the CPU stops.
#pragma once

#include "format.h"

#include <array>

[[noreturn]] void panic_args(const fmt::SourceLocation& location, const char* format,
                             const fmt::Arg* args, std::size_t count);

template <typename... Args>
[[noreturn]] void panic(fmt::FormatString<Args...> format, const Args&... args) {
    const std::array<fmt::Arg, sizeof...(Args)> erased{fmt::make_arg(args)...};
    panic_args(format.location, format.text, erased.data(), erased.size());
}
