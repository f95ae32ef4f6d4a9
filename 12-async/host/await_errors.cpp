// co_await inside a task accepts Future<T> and leaf futures only. Each AWAIT_ERROR_CASE must
// fail to compile with the message CTest looks for; case 0 must compile cleanly.

#include "task/task.h"

#include <coroutine>

namespace {

task::Future<int> number() { co_return 1; }

[[maybe_unused]] task::Task awaits() {
#if AWAIT_ERROR_CASE == 1
    // Any other awaitable would suspend the task with nobody to resume it.
    co_await std::suspend_always{};
#elif AWAIT_ERROR_CASE == 2
    // A Future is consumed by awaiting it: an lvalue needs std::move.
    task::Future<int> f = number();
    co_await f;
#else
    task::Future<int> f = number();
    (void)co_await std::move(f);
#endif
}

}  // namespace
