// Executor: runs tasks, polling each one only when its waker asked for it, and halts the CPU
// when no task can make progress (the Rust series' `task::executor::Executor`).
//
//     Executor executor;
//     executor.spawn(example_task());
//     executor.spawn(print_keypresses());
//     executor.run();  // never returns
//
// Pieces:
//   - tasks_: every task not yet finished, by TaskId, each with its cached Waker (TaskMap).
//   - wake_queue_: ids of tasks whose wakers fired (WakeQueue, bounded to 100, interrupt-safe).
//     Wakers push, run_ready_tasks pops and polls.
//   - unqueued_: ids to poll that did not come through a waker: tasks just spawned, and every
//     task after the wake queue overflowed. (The Rust series puts new tasks on the wake queue,
//     which then must be as large as the number of tasks spawned at once, or spawn fails. Spawn
//     runs in normal kernel code, where the heap is available, so new tasks go to a growable list
//     instead and spawning never fails for lack of queue space. The bounded queue is left for
//     what needs it: wake-ups from interrupt handlers.)
//
// The executor belongs to the kernel's main thread of control: spawn and the run functions must
// not be called from interrupt handlers (they allocate). Only wakers go there.
//
// Wakers point into the executor (its wake queue): it must outlive every Waker it handed out.
// The kernel's executor runs forever; a test's must not leave wakers behind in global places
// (a ScancodeStream takes its waker back from the queue when it is destroyed).
#pragma once

#include "ktl/vec.h"
#include "task/idle_hooks.h"
#include "task/task.h"
#include "task/task_id.h"
#include "task/task_map.h"
#include "task/wake_queue.h"

#include <cstddef>
#include <cstdint>

namespace task {

class Executor {
public:
    struct Stats {
        std::uint64_t polls = 0;      // Task::poll calls
        std::uint64_t completed = 0;  // tasks that returned Ready
        std::uint64_t sweeps = 0;     // times every task was polled after a wake queue overflow
    };

    // `idle` is how sleep_if_idle talks to the CPU: the real instructions unless a test fakes them.
    explicit Executor(IdleHooks idle = cpu_idle_hooks()) noexcept : idle_(idle) {}
    // Wakers point at the wake queue inside: the executor must stay where it is.
    Executor(const Executor&) = delete;
    Executor& operator=(const Executor&) = delete;

    // Adds a task; it is polled for the first time by the next run_ready_tasks. Panics if the
    // task is empty -- its frame could not be allocated; the message names the size -- or if a
    // task with its id is already there.
    void spawn(Task task);

    // Polls every task that is ready -- new, woken, or all of them after a wake queue overflow --
    // including tasks that become ready meanwhile, until none is. Returns without waiting.
    void run_ready_tasks();

    // Runs the tasks forever, halting the CPU whenever none is ready.
    // Precondition: interrupts enabled (only an interrupt can wake the halted CPU).
    [[noreturn]] void run();

    // Halts the CPU until the next interrupt, unless a task is ready. Checks with interrupts off
    // and then enables them and halts in one step, so a wake-up from an interrupt handler that
    // arrives after the check cannot be lost: it either came before the cli, and the check sees
    // it, or it is held pending until the sti and then ends the hlt.
    // Precondition: interrupts enabled.
    void sleep_if_idle();

    // For tests and benchmarks: runs the ready tasks and returns how many tasks are left, all of
    // them waiting for a wake-up (0: every task finished).
    std::size_t run_until_idle();

    [[nodiscard]] std::size_t task_count() const noexcept { return tasks_.size(); }
    [[nodiscard]] const Stats& stats() const noexcept { return stats_; }
    [[nodiscard]] const WakeQueue& wake_queue() const noexcept { return wake_queue_; }

private:
    [[nodiscard]] bool has_ready_tasks() const noexcept;
    void poll_task(TaskId id);
    void poll_unqueued();

    IdleHooks idle_;
    WakeQueue wake_queue_;
    TaskMap tasks_;
    ktl::Vec<TaskId> unqueued_;
    Stats stats_;
};

}  // namespace task
