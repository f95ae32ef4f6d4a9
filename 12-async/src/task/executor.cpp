#include "task/executor.h"

#include "panic.h"
#include "task/waker.h"

#include <utility>

namespace task {

void Executor::spawn(Task task) {
    if (!task) {
        if (task.failed_frame_size() != 0) {
            panic("cannot spawn {}: out of memory for its {}-byte coroutine frame", task.id(),
                  task.failed_frame_size());
        }
        panic("cannot spawn an empty Task (moved from?)");
    }
    const TaskId id = task.id();
    if (!tasks_.insert(std::move(task), Waker{id, wake_queue_}))
        panic("task with same ID already in tasks");
    unqueued_.push_back(id);
}

void Executor::run_ready_tasks() {
    // LAB(executor-run-loop): poll new tasks, then woken ones; after an overflow, all
    // STUB: panic("lab executor-run-loop: not written yet");
    for (;;) {
        if (unqueued_.size() != 0) {
            poll_unqueued();
        } else if (const std::optional<TaskId> id = wake_queue_.pop()) {
            poll_task(*id);
        } else if (wake_queue_.take_overflow()) {
            // Some wake-ups were dropped, and we cannot know whose: poll everybody once.
            ++stats_.sweeps;
            tasks_.for_each_id([this](TaskId each) { unqueued_.push_back(each); });
        } else {
            return;
        }
    }
    // END LAB(executor-run-loop)
}

void Executor::poll_unqueued() {
    // By index, not by iterator: a polled task may spawn, which appends here and may move the
    // Vec's storage. Tasks appended meanwhile are polled in the same loop.
    for (std::size_t i = 0; i < unqueued_.size(); ++i) poll_task(unqueued_[i]);
    unqueued_.clear();
}

void Executor::poll_task(TaskId id) {
    // LAB(executor-run-loop): poll the task with its waker; drop it once it is done
    // STUB: (void)id;
    // STUB: panic("lab executor-run-loop: not written yet");
    TaskMap::Entry* entry = tasks_.find(id);
    if (entry == nullptr) return;  // finished already: a late or duplicate wake-up
    Context context{entry->waker};
    ++stats_.polls;
    // `entry` may dangle once the task has run (it may have spawned): look the id up again.
    if (entry->task.poll(context) == Poll::Ready) {
        tasks_.erase(id);
        ++stats_.completed;
    }
    // END LAB(executor-run-loop)
}

bool Executor::has_ready_tasks() const noexcept {
    return unqueued_.size() != 0 || !wake_queue_.empty() || wake_queue_.overflowed();
}

void Executor::run() {
    for (;;) {
        run_ready_tasks();
        sleep_if_idle();
    }
}

void Executor::sleep_if_idle() {
    if (!idle_.interrupts_enabled()) {
        panic("sleep_if_idle with interrupts disabled: the CPU would halt with nothing to wake it");
    }
    // From the cli on, no interrupt handler can push a wake-up until the sti: what the check
    // sees stays true until the hlt.
    idle_.disable_interrupts();
    if (has_ready_tasks()) {
        idle_.enable_interrupts();
        return;
    }
    idle_.enable_interrupts_and_halt();
}

std::size_t Executor::run_until_idle() {
    run_ready_tasks();
    return tasks_.size();
}

}  // namespace task

#if defined(UNIT_TESTS)
#include "task/future.h"
#include "test_framework.h"

#include <optional>

namespace task {

namespace {

Future<std::uint32_t> async_number() { co_return 42; }

Task store_async_number(std::uint32_t& out) { out = co_await async_number(); }

Task count_up(int& counter) {
    ++counter;
    co_return;
}

// Pending until fired; counts its polls.
struct Signal {
    bool fired = false;
    int polls = 0;
    std::optional<Waker> waker;

    struct Wait {
        Signal* signal;
        std::optional<Unit> poll(Context& context) {
            ++signal->polls;
            if (signal->fired) return Unit{};
            signal->waker = context.waker();
            return std::nullopt;
        }
    };
    void fire() {
        fired = true;
        if (waker) waker->wake();
    }
};

Task wait_for(Signal& signal) { co_await Signal::Wait{&signal}; }

}  // namespace

KERNEL_TEST(test_executor_awaited_value) {
    Executor executor;
    std::uint32_t number = 0;
    executor.spawn(store_async_number(number));
    ASSERT_EQ(executor.run_until_idle(), 0u);
    ASSERT_EQ(number, 42u);
}

// 1000 tasks in waves of 100: a wave's frames and table fit the 100 KiB heap with room to spare,
// and the heap must get everything back after each wave.
KERNEL_TEST(test_executor_many_tasks) {
    Executor executor;
    int counter = 0;
    for (int wave = 0; wave < 10; ++wave) {
        for (int i = 0; i < 100; ++i) executor.spawn(count_up(counter));
        ASSERT_EQ(executor.run_until_idle(), 0u);
    }
    ASSERT_EQ(counter, 1000);
    ASSERT_EQ(executor.stats().completed, 1000u);
}

KERNEL_TEST(test_executor_polls_only_woken_tasks) {
    Executor executor;
    Signal a;
    Signal b;
    executor.spawn(wait_for(a));
    executor.spawn(wait_for(b));
    ASSERT_EQ(executor.run_until_idle(), 2u);
    ASSERT_EQ(executor.run_until_idle(), 2u);
    ASSERT_EQ(a.polls, 1);
    ASSERT_EQ(b.polls, 1);
    a.fire();
    ASSERT_EQ(executor.run_until_idle(), 1u);
    ASSERT_EQ(a.polls, 2);
    ASSERT_EQ(b.polls, 1);
    b.fire();
    ASSERT_EQ(executor.run_until_idle(), 0u);
}

// The 101st wake-up finds the queue full: dropped with a warning, and every task still finishes.
KERNEL_TEST(test_executor_wake_queue_overflow) {
    Executor executor;
    constexpr int TASKS = WakeQueue::CAPACITY + 1;
    Signal signals[TASKS];
    for (Signal& signal : signals) executor.spawn(wait_for(signal));
    ASSERT_EQ(executor.run_until_idle(), static_cast<std::size_t>(TASKS));
    for (Signal& signal : signals) signal.fire();
    ASSERT_EQ(executor.wake_queue().dropped(), 1u);
    ASSERT_EQ(executor.run_until_idle(), 0u);
}

// On the real CPU: with nothing ready, sleep_if_idle halts, and the next timer interrupt ends
// the halt; interrupts are on again afterwards.
KERNEL_TEST(test_executor_sleep_if_idle_wakes_on_interrupt) {
    Executor executor;
    ASSERT_TRUE(cpu::interrupts_enabled());
    executor.sleep_if_idle();
    ASSERT_TRUE(cpu::interrupts_enabled());
}

}  // namespace task
#endif
