// Futures: what a task can co_await, and how a whole chain of coroutines waits as one task.
//
// Rust's async model, which this file carries over to C++20 coroutines:
//   - A future is polled. It returns Ready(value), or Pending after arranging for the task's
//     waker to be woken when it can make progress.
//   - An `async fn` compiles to a future that polls the futures it awaits, so a task is a tree
//     of futures and the executor polls only the root. Leaf futures (a keyboard stream, a timer)
//     are written by hand; everything above them is compiler-made.
//
// Here there are two kinds of awaitable things, matching those two kinds of futures:
//   - Leaf futures: any type with `std::optional<T> poll(Context&)` -- Rust's poll, with
//     std::nullopt for Pending. Written by hand (ScancodeStream::next(), yield_now()).
//   - Future<T>: a coroutine that returns a T and can itself co_await. `co_await child()` starts
//     the child right away, on the same stack: the parent suspends and transfers control to the
//     child (symmetric transfer), and the child's end transfers control back with the value.
//     Nothing is queued and the executor does not notice. This is what "awaiting runs the child
//     inline" means, and why a chain of awaits costs no more than calls.
//
// Where Rust polls the tree again from the root each time, a C++ coroutine cannot be re-entered
// from the top: it can only be resumed where it stopped. So when a leaf is not ready, the task
// remembers the leaf and the coroutine awaiting it ("parks" on it, TaskState below) and the
// whole chain returns to the executor. The next poll of the task polls that leaf again -- and
// only when it is ready resumes the coroutine that awaits it. A task that is woken early just
// polls its leaf once more, exactly as in Rust.
//
// Each coroutine's promise (the object the compiler puts in its frame) derives from PromiseBase.
// Its await_transform is the gate every co_await inside a task passes: it accepts Future<T> and
// leaf futures and rejects anything else at compile time, because an awaitable that suspends in
// some other way would leave the task stopped with nobody knowing how to resume it.
#pragma once

#include "panic.h"
#include "task/coroutine_frames.h"
#include "task/waker.h"

#include <coroutine>
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

namespace task {

// Rust's (): the value of a leaf future that only signals, such as yield_now().
struct Unit {};

namespace detail {
template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};
}  // namespace detail

// A leaf future: poll(context) returns the value when ready, or std::nullopt (Pending) after
// making sure context.waker() will be woken when polling again can make progress.
template <typename L>
concept LeafFuture = requires(L& leaf, Context& context) {
    requires detail::IsOptional<decltype(leaf.poll(context))>::value;
};

// What a leaf future's poll returns when ready.
template <LeafFuture L>
using LeafValue = typename decltype(std::declval<L&>().poll(std::declval<Context&>()))::value_type;

// A leaf the task waits on, with the type of the leaf hidden: TaskState can hold any of them.
class ParkedLeaf {
public:
    // Polls the leaf again; true when it is ready (and its value is kept for the awaiter).
    virtual bool poll_again(Context& context) noexcept = 0;

protected:
    ~ParkedLeaf() = default;
};

// What all coroutines of one task share, kept in the task's root promise: the Context of the
// poll in progress, and the leaf the task is parked on between polls.
class TaskState {
public:
    // The context of the current poll: the task's waker.
    // Precondition: called while the task is being polled (Task::poll is on the stack).
    [[nodiscard]] Context& context() const noexcept {
        if (context_ == nullptr) panic("a leaf future asked for the context outside of a poll");
        return *context_;
    }

    // Records that `waiting` awaits `leaf`, which is not ready: the task returns to the executor
    // and its next poll polls the leaf.
    void park(ParkedLeaf& leaf, std::coroutine_handle<> waiting) noexcept {
        parked_ = &leaf;
        parked_in_ = waiting;
    }

private:
    friend class Task;  // Task::poll drives the task through these

    Context* context_ = nullptr;
    ParkedLeaf* parked_ = nullptr;
    std::coroutine_handle<> parked_in_;
};

// Awaits a leaf future. A ready leaf costs one poll and no suspension; a pending one parks the
// task.
template <typename L>
class LeafAwaiter final : public ParkedLeaf {
    using Value = LeafValue<std::remove_reference_t<L>>;

public:
    LeafAwaiter(L&& leaf, TaskState& task) noexcept : leaf_(std::forward<L>(leaf)), task_(task) {}
    LeafAwaiter(const LeafAwaiter&) = delete;
    LeafAwaiter& operator=(const LeafAwaiter&) = delete;

    bool await_ready() noexcept { return poll_again(task_.context()); }
    void await_suspend(std::coroutine_handle<> waiting) noexcept { task_.park(*this, waiting); }
    Value await_resume() noexcept { return std::move(*result_); }

    bool poll_again(Context& context) noexcept override {
        result_ = leaf_.poll(context);
        return result_.has_value();
    }

private:
    L leaf_;  // the leaf itself, or a reference when an lvalue was awaited
    TaskState& task_;
    std::optional<Value> result_;
};

template <typename T>
class Future;
template <typename T>
class FutureAwaiter;

template <typename T>
struct IsFuture : std::false_type {};
template <typename T>
struct IsFuture<Future<T>> : std::true_type {};

// What the promises of Task and Future<T> have in common.
class PromiseBase {
public:
    // Frames come from the coroutine frame allocator (the kernel heap) and may fail: operator new
    // is noexcept and may return null, and the promise types provide
    // get_return_object_on_allocation_failure for that case.
    static void* operator new(std::size_t size) noexcept { return allocate_coroutine_frame(size); }
    static void operator delete(void* frame, std::size_t size) noexcept {
        deallocate_coroutine_frame(frame, size);
    }

    // The kernel is built without exceptions; on the host, an exception escaping a task is a bug.
    void unhandled_exception() noexcept { panic("an exception escaped a task's coroutine"); }

    // co_await child(): runs the child coroutine inline and resumes with its value.
    template <typename T>
    FutureAwaiter<T> await_transform(Future<T>&& future) noexcept;

    // co_await leaf: polls the leaf; parks the task if it is pending.
    template <typename L>
    requires LeafFuture<std::remove_reference_t<L>> LeafAwaiter<L> await_transform(L&& leaf)
    noexcept { return LeafAwaiter<L>(std::forward<L>(leaf), *task_); }

    // Awaiting a Future consumes it (its frame is gone afterwards), as Rust's .await does.
    template <typename T>
    void await_transform(Future<T>& future) = delete;  // write co_await std::move(future)

    template <typename A>
    requires(!LeafFuture<std::remove_reference_t<A>> &&
             !IsFuture<std::remove_cvref_t<A>>::value) void await_transform(A&&) {
        static_assert(sizeof(A) == 0,
                      "a task can co_await only Future<T> and leaf futures (types with "
                      "std::optional<T> poll(Context&)); see task/future.h");
    }

protected:
    TaskState* task_ = nullptr;  // the root's state; set before the coroutine first runs
};

// Where a Future keeps its result until the awaiting coroutine takes it.
template <typename T>
class FutureResult {
public:
    void return_value(T value) noexcept { value_.emplace(std::move(value)); }
    T take_result() noexcept { return std::move(*value_); }

private:
    std::optional<T> value_;
};

template <>
class FutureResult<void> {
public:
    void return_void() noexcept {}
    void take_result() noexcept {}
};

template <typename T>
class FuturePromise final : public PromiseBase, public FutureResult<T> {
public:
    Future<T> get_return_object() noexcept {
        return Future<T>(std::coroutine_handle<FuturePromise>::from_promise(*this));
    }
    static Future<T> get_return_object_on_allocation_failure() noexcept {
        return Future<T>(last_failed_frame_size());
    }

    // Lazy, like a Rust future: the body runs when the future is awaited, not when it is made.
    std::suspend_always initial_suspend() noexcept { return {}; }

    // At the end, hand control straight back to the awaiting coroutine. The frame stays until
    // the awaiter has taken the result and destroys it.
    struct FinalAwaiter {
        bool await_ready() noexcept { return false; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<FuturePromise> self) noexcept {
            return self.promise().continuation_;
        }
        void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }

    // Makes this coroutine part of `task`, to continue `awaiting` when it ends.
    void start_as_child_of(TaskState& task, std::coroutine_handle<> awaiting) noexcept {
        task_ = &task;
        continuation_ = awaiting;
    }

private:
    std::coroutine_handle<> continuation_;
};

// A coroutine that produces a T (or nothing, for Future<void>) and is awaited by another
// coroutine of the same task:
//
//     Future<std::uint32_t> async_number() { co_return 42; }
//     Task example_task() { std::uint32_t n = co_await async_number(); ... }
//
// Owns the coroutine's frame. Empty when the frame could not be allocated; awaiting an empty
// Future panics with the frame's size (check `if (!future)` first to handle it yourself).
template <typename T>
class [[nodiscard]] Future {
public:
    using promise_type = FuturePromise<T>;

    Future(Future&& other) noexcept
        : handle_(std::exchange(other.handle_, nullptr)),
          failed_frame_size_(other.failed_frame_size_) {}
    Future& operator=(Future&& other) noexcept {
        if (this != &other) {
            if (handle_) handle_.destroy();
            handle_ = std::exchange(other.handle_, nullptr);
            failed_frame_size_ = other.failed_frame_size_;
        }
        return *this;
    }
    Future(const Future&) = delete;
    Future& operator=(const Future&) = delete;
    ~Future() {
        if (handle_) handle_.destroy();
    }

    // False when the frame could not be allocated (or the future was moved from or awaited).
    explicit operator bool() const noexcept { return static_cast<bool>(handle_); }
    // For an empty Future made by a failed allocation: the frame size that did not fit.
    [[nodiscard]] std::size_t failed_frame_size() const noexcept { return failed_frame_size_; }

private:
    friend class FuturePromise<T>;
    friend class PromiseBase;

    explicit Future(std::coroutine_handle<FuturePromise<T>> handle) noexcept : handle_(handle) {}
    explicit Future(std::size_t failed_frame_size) noexcept
        : failed_frame_size_(failed_frame_size) {}

    std::coroutine_handle<FuturePromise<T>> handle_;
    std::size_t failed_frame_size_ = 0;
};

// Awaits a Future: suspends the awaiting coroutine and transfers control to the child, which
// transfers it back when it ends (FinalAwaiter). Owns the child's frame from then on.
template <typename T>
class FutureAwaiter {
public:
    FutureAwaiter(std::coroutine_handle<FuturePromise<T>> child, TaskState& task) noexcept
        : child_(child), task_(task) {}
    FutureAwaiter(const FutureAwaiter&) = delete;
    FutureAwaiter& operator=(const FutureAwaiter&) = delete;
    ~FutureAwaiter() { child_.destroy(); }

    bool await_ready() noexcept { return false; }  // the child has not started yet
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
        child_.promise().start_as_child_of(task_, awaiting);
        return child_;
    }
    T await_resume() noexcept { return child_.promise().take_result(); }

private:
    std::coroutine_handle<FuturePromise<T>> child_;
    TaskState& task_;
};

template <typename T>
FutureAwaiter<T> PromiseBase::await_transform(Future<T>&& future) noexcept {
    if (!future.handle_) {
        if (future.failed_frame_size_ == 0)
            panic("awaited an empty Future (moved from, or awaited before)");
        panic("out of memory: no room for the {}-byte coroutine frame of an awaited future",
              future.failed_frame_size_);
    }
    return FutureAwaiter<T>(std::exchange(future.handle_, nullptr), *task_);
}

}  // namespace task
