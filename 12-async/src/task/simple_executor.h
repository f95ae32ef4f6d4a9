// SimpleExecutor: polls every task over and over until all have finished (the Rust series'
// first executor, `task::simple_executor::SimpleExecutor`).
//
// It gives each task a waker that does nothing, and so never knows when a task could make
// progress: it polls them all, round after round, in spawn order, and a task waiting for a key
// is polled millions of times for nothing. The Executor fixes this with real wakers.
#pragma once

#include "ktl/vec.h"
#include "task/task.h"

namespace task {

class SimpleExecutor {
public:
    SimpleExecutor() = default;
    SimpleExecutor(const SimpleExecutor&) = delete;
    SimpleExecutor& operator=(const SimpleExecutor&) = delete;

    // Adds a task to the end of the round. Panics if the task is empty (its frame could not be
    // allocated; the message names the size).
    void spawn(Task task);

    // Polls the tasks in rounds until every one has finished. Never returns while a task waits
    // for something that never comes. Tasks spawned by tasks join the current round.
    void run();

    [[nodiscard]] std::uint64_t polls() const noexcept { return polls_; }

private:
    ktl::Vec<Task> task_queue_;
    std::uint64_t polls_ = 0;
};

}  // namespace task
