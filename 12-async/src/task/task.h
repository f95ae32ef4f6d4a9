// Task: a coroutine the executor runs (the Rust series' `struct Task { id, future }`).
//
//     Task example_task() {
//         const std::uint32_t number = co_await async_number();
//         println("async number: {}", number);
//     }
//     executor.spawn(example_task());
//
// Calling a coroutine whose return type is Task allocates its frame (on the kernel heap, through
// the coroutine frame allocator) and returns a Task that owns it; the body has not started. The
// executor polls it: the body runs until it finishes (Poll::Ready) or until some leaf future it
// awaits, however deep in a chain of Future<T>s, is not ready (Poll::Pending). See future.h for how
// a chain of coroutines waits as one task.
//
// The frame is pinned as a Rust task's future is: it stays where it was allocated until the Task
// is destroyed. The Task object itself is only a handle and may move freely.
#pragma once

#include "task/future.h"
#include "task/task_id.h"
#include "task/waker.h"

#include <coroutine>
#include <cstddef>

namespace task {

// The result of polling a task: Rust's Poll<()>.
enum class Poll : bool { Ready, Pending };

class Task;

class TaskPromise final : public PromiseBase {
public:
    TaskPromise() noexcept { task_ = &state_; }

    Task get_return_object() noexcept;
    static Task get_return_object_on_allocation_failure() noexcept;

    // Lazy, like a Rust future: nothing runs before the first poll.
    std::suspend_always initial_suspend() noexcept { return {}; }
    // Stop at the end instead of freeing the frame: the executor sees done() and destroys the
    // Task, which frees it.
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() noexcept {}

private:
    friend class Task;
    TaskState state_;
};

class [[nodiscard]] Task {
public:
    using promise_type = TaskPromise;

    Task(Task&& other) noexcept;
    Task& operator=(Task&& other) noexcept;
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;
    ~Task();

    [[nodiscard]] TaskId id() const noexcept { return id_; }

    // False when the coroutine's frame could not be allocated (or the Task was moved from).
    // Such a Task cannot run; Executor::spawn panics with failed_frame_size() if given one.
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }
    [[nodiscard]] std::size_t failed_frame_size() const noexcept { return failed_frame_size_; }

    // Runs the task until it finishes or waits on a leaf future that is not ready. A waiting
    // task's leaf has arranged for context.waker() to be woken; until then polling again is
    // allowed but useless (it polls the leaf once more and returns Pending).
    // Preconditions: the Task is not empty, and has not returned Ready before.
    [[nodiscard]] Poll poll(Context& context);

private:
    friend class TaskPromise;

    explicit Task(std::coroutine_handle<TaskPromise> handle) noexcept;
    explicit Task(std::size_t failed_frame_size) noexcept;

    std::coroutine_handle<TaskPromise> handle_;
    TaskId id_;
    std::size_t failed_frame_size_ = 0;
};

}  // namespace task
