// TaskId: the name under which the executor keeps a task and under which wakers ask for it to
// be polled again (the Rust series' `struct TaskId(u64)`).
#pragma once

#include "format.h"

#include <compare>
#include <cstdint>

namespace task {

class TaskId {
public:
    // A fresh id, never handed out before: ids come from a counter that only counts up. The
    // counter is an atomic, so tasks may be created anywhere (even on another CPU, one day).
    [[nodiscard]] static TaskId next() noexcept;

    [[nodiscard]] constexpr std::uint64_t value() const noexcept { return value_; }
    constexpr auto operator<=>(const TaskId&) const noexcept = default;

private:
    constexpr explicit TaskId(std::uint64_t value) noexcept : value_(value) {}
    std::uint64_t value_;
};

// Prints as "TaskId(7)", like the Rust series' derived Debug.
void format_value(fmt::Sink& sink, const TaskId& id, const fmt::Spec& spec);

}  // namespace task
