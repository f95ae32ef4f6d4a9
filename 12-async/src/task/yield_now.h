// yield_now(): lets the other ready tasks run before this one goes on.
//
//     for (;;) { do_a_bit_of_work(); co_await yield_now(); }
//
// A leaf future that is Pending once, with the task's own wake-up already queued: the executor
// polls the tasks woken before it, then this one again. (The Rust series does not need it; async
// runtimes have it under this name.)
#pragma once

#include "task/future.h"
#include "task/waker.h"

#include <optional>

namespace task {

class YieldNow {
public:
    std::optional<Unit> poll(Context& context) noexcept {
        if (yielded_) return Unit{};
        yielded_ = true;
        context.waker().wake();
        return std::nullopt;
    }

private:
    bool yielded_ = false;
};

[[nodiscard]] inline YieldNow yield_now() noexcept { return {}; }

}  // namespace task
