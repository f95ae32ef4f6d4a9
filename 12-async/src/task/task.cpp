#include "task/task.h"

#include "panic.h"

#include <atomic>
#include <utility>

namespace task {

namespace {
// The Rust series' NEXT_ID. Relaxed is enough: only uniqueness matters, not order.
constinit std::atomic<std::uint64_t> next_task_id{1};
}  // namespace

TaskId TaskId::next() noexcept {
    return TaskId{next_task_id.fetch_add(1, std::memory_order_relaxed)};
}

void format_value(fmt::Sink& sink, const TaskId& id, const fmt::Spec&) {
    fmt::format_to(sink, "TaskId({})", id.value());
}

Task TaskPromise::get_return_object() noexcept {
    return Task(std::coroutine_handle<TaskPromise>::from_promise(*this));
}

Task TaskPromise::get_return_object_on_allocation_failure() noexcept {
    return Task(last_failed_frame_size());
}

Task::Task(std::coroutine_handle<TaskPromise> handle) noexcept
    : handle_(handle), id_(TaskId::next()) {}
Task::Task(std::size_t failed_frame_size) noexcept
    : id_(TaskId::next()), failed_frame_size_(failed_frame_size) {}

Task::Task(Task&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)),
      id_(other.id_),
      failed_frame_size_(other.failed_frame_size_) {}

Task& Task::operator=(Task&& other) noexcept {
    if (this != &other) {
        if (handle_) handle_.destroy();
        handle_ = std::exchange(other.handle_, nullptr);
        id_ = other.id_;
        failed_frame_size_ = other.failed_frame_size_;
    }
    return *this;
}

// Destroying a frame destroys its locals, among them the awaiters of the Futures it awaits,
// which destroy the frames of those: an unfinished task goes away with its whole chain.
Task::~Task() {
    if (handle_) handle_.destroy();
}

Poll Task::poll(Context& context) {
    // Only locals from here on: while the coroutine runs, this Task object may move (a task
    // that spawns another can make the executor's table grow and move its entries).
    const std::coroutine_handle<TaskPromise> root = handle_;
    const TaskId id = id_;
    if (!root) panic("polled an empty Task ({})", id);
    if (root.done()) panic("polled {} after it finished", id);
    TaskState& state = root.promise().state_;

    std::coroutine_handle<> resume_at = root;  // first poll: the start of the body
    if (state.parked_ != nullptr) {
        // The task waits on a leaf: poll it again, and go on only if it is ready now.
        if (!state.parked_->poll_again(context)) return Poll::Pending;
        resume_at = std::exchange(state.parked_in_, nullptr);
        state.parked_ = nullptr;
    }

    state.context_ = &context;
    resume_at.resume();  // returns when the task finishes or parks on a leaf
    state.context_ = nullptr;

    if (root.done()) return Poll::Ready;
    if (state.parked_ == nullptr) panic("{} stopped without waiting on a leaf future", id);
    return Poll::Pending;
}

}  // namespace task
