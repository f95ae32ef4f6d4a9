// Waker and Context: how a task that is waiting for something gets polled again (Rust's
// core::task::{Waker, Context}).
//
// A task that cannot go on (no scancode yet) returns Pending to the executor, which then leaves
// it alone. Before returning, the leaf future it waits on hands a copy of the task's Waker to
// whoever will make progress possible (the keyboard interrupt handler). When that happens, they
// call wake(), which puts the task's id into the executor's WakeQueue, and the executor polls the
// task again.
//
// Rust's Waker is a pointer plus a vtable so that every executor can define its own; this one is
// a value of two words that names the task and the queue: there is one kind of executor here. A
// Waker is cheap to copy and may be copied anywhere, interrupt handlers included.
#pragma once

#include "task/task_id.h"
#include "task/wake_queue.h"

namespace task {

class Waker {
public:
    constexpr Waker(TaskId id, WakeQueue& queue) noexcept : id_(id), queue_(&queue) {}

    // A waker that does nothing when woken: for SimpleExecutor, which polls every task anyway.
    [[nodiscard]] static constexpr Waker noop(TaskId id) noexcept { return Waker{id}; }

    // Asks for the task to be polled again. Never blocks and never allocates; safe in an
    // interrupt handler. A wake-up that finds the queue full is dropped and reported (see
    // wake_queue.h); waking a task that has finished meanwhile is harmless.
    void wake() const noexcept {
        if (queue_ != nullptr) queue_->push(id_);
    }

    [[nodiscard]] constexpr TaskId id() const noexcept { return id_; }
    // Whether this waker and `other` wake the same task through the same queue.
    [[nodiscard]] constexpr bool will_wake(const Waker& other) const noexcept {
        return id_ == other.id_ && queue_ == other.queue_;
    }

private:
    constexpr explicit Waker(TaskId id) noexcept : id_(id), queue_(nullptr) {}

    TaskId id_;
    WakeQueue* queue_;
};

// What a poll gets to know about the task it runs for: its waker. A leaf future that returns
// Pending must first arrange for context.waker().wake() to be called when it can make progress;
// otherwise its task is never polled again.
class Context {
public:
    constexpr explicit Context(const Waker& waker) noexcept : waker_(waker) {}
    [[nodiscard]] constexpr const Waker& waker() const noexcept { return waker_; }

private:
    Waker waker_;  // a copy: Wakers are two words, and a copy cannot dangle
};

}  // namespace task
