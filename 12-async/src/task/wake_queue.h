// WakeQueue: the executor's queue of task ids that asked to be polled again (the Rust series'
// `task_queue: Arc<ArrayQueue<TaskId>>`, capacity 100).
//
// Wakers push from anywhere, interrupt handlers included, so the queue is an ArrayQueue: it
// never blocks and never allocates. Being bounded, it can be full. A wake-up that does not fit
// is dropped; if nothing else happened, the task would never be polled again and wait forever.
// So a drop is made visible twice:
//   - counted (dropped()) and reported with one warning per overflow -- printing a line for each
//     of possibly thousands of drops from an interrupt handler would make things worse;
//   - remembered (the overflow flag), which the executor takes as "some wake-up was lost, poll
//     every task once". Polling a task that was not woken is harmless (a task must cope with
//     being polled early, as a Rust future must), so no task is lost, only some time.
// The flag is cleared by take_overflow(); the next overflow warns again.
#pragma once

#include "task/array_queue.h"
#include "task/task_id.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace task {

class WakeQueue {
public:
    static constexpr std::size_t CAPACITY = 100;

    constexpr WakeQueue() noexcept = default;
    WakeQueue(const WakeQueue&) = delete;
    WakeQueue& operator=(const WakeQueue&) = delete;

    // Asks for task `id` to be polled. Safe in an interrupt handler: never blocks or allocates.
    // On a full queue the wake-up is dropped, counted and (first drop of an overflow) reported.
    void push(TaskId id) noexcept;

    [[nodiscard]] std::optional<TaskId> pop() noexcept { return ids_.pop(); }
    [[nodiscard]] bool empty() const noexcept { return ids_.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return ids_.size(); }

    // Wake-ups dropped since the queue was made.
    [[nodiscard]] std::uint64_t dropped() const noexcept {
        return dropped_.load(std::memory_order_relaxed);
    }
    // True while a drop has not been taken care of by take_overflow().
    [[nodiscard]] bool overflowed() const noexcept {
        return overflowed_.load(std::memory_order_acquire);
    }
    // Returns whether wake-ups were dropped since the last call, and clears the flag. The caller
    // must then poll every task (see above).
    [[nodiscard]] bool take_overflow() noexcept {
        return overflowed_.exchange(false, std::memory_order_acq_rel);
    }

private:
    ArrayQueue<TaskId, CAPACITY> ids_;
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<bool> overflowed_{false};
};

}  // namespace task
