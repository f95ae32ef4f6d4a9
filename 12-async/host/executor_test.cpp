// Host tests of SimpleExecutor and Executor (src/task/simple_executor.h, src/task/executor.h):
// tasks run to completion, wakers decide who is polled, the bounded wake queue overflows
// gracefully, and sleep_if_idle only halts when nothing is ready, checking with interrupts off.

#include "task/executor.h"
#include "console_capture.h"
#include "task/console.h"
#include "task/simple_executor.h"
#include "task/task.h"
#include "task/yield_now.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using task::Executor;
using task::Future;
using task::SimpleExecutor;
using task::Task;
using test_support::CoroutineFrameAllocatorScope;
using test_support::FakeCpu;
using test_support::Signal;

Future<std::uint32_t> async_number() { co_return 42; }

Task example_task() {
    const std::uint32_t number = co_await async_number();
    task::println("async number: {}", number);
}

Task count_up(int& counter) {
    ++counter;
    co_return;
}

Task yield_times(int times, std::vector<std::string>& log, char name) {
    for (int i = 0; i < times; ++i) {
        log.push_back(std::string(1, name) + std::to_string(i));
        co_await task::yield_now();
    }
    log.push_back(std::string(1, name) + "done");
}

Task wait_for(Signal& signal, int& finished) {
    co_await signal.wait();
    ++finished;
}

class ExecutorTest : public ::testing::Test {
protected:
    void SetUp() override {
        FakeCpu::instance().reset();
        console_capture::take();
    }
    FakeCpu& cpu = FakeCpu::instance();
    Executor executor{FakeCpu::hooks()};
};

// --- SimpleExecutor -----------------------------------------------------------------------------

TEST(SimpleExecutor, RunsTheExample) {
    console_capture::take();
    SimpleExecutor executor;
    executor.spawn(example_task());
    executor.run();
    EXPECT_EQ(console_capture::take(), "async number: 42\n");
}

TEST(SimpleExecutor, RoundRobinInSpawnOrder) {
    std::vector<std::string> log;
    SimpleExecutor executor;
    executor.spawn(yield_times(2, log, 'a'));
    executor.spawn(yield_times(1, log, 'b'));
    executor.spawn(yield_times(0, log, 'c'));
    executor.run();
    EXPECT_EQ(log, (std::vector<std::string>{"a0", "b0", "cdone", "a1", "bdone", "adone"}));
}

// With a no-op waker nothing tells the executor when the signal fires: it polls the waiting
// task every round, whether or not anything changed.
TEST(SimpleExecutor, BusyPollsWaitingTasks) {
    Signal signal;
    int finished = 0;
    std::vector<std::string> log;
    auto firer = [](Signal& s, std::vector<std::string>& log) -> Task {
        for (int i = 0; i < 5; ++i) co_await task::yield_now();
        log.push_back("fire");
        s.fire();
    };
    SimpleExecutor executor;
    executor.spawn(wait_for(signal, finished));
    executor.spawn(firer(signal, log));
    executor.run();
    EXPECT_EQ(finished, 1);
    EXPECT_EQ(signal.polls, 7);  // once per round: 6 rounds pending, then ready
}

// --- Executor: running ---------------------------------------------------------------------------

TEST_F(ExecutorTest, RunsTheExample) {
    executor.spawn(example_task());
    EXPECT_EQ(executor.run_until_idle(), 0u);
    EXPECT_EQ(console_capture::take(), "async number: 42\n");
}

TEST_F(ExecutorTest, ThousandSpawnedTasksAllComplete) {
    CoroutineFrameAllocatorScope frames;
    int counter = 0;
    for (int i = 0; i < 1000; ++i) executor.spawn(count_up(counter));
    EXPECT_EQ(executor.task_count(), 1000u);
    EXPECT_EQ(executor.run_until_idle(), 0u);
    EXPECT_EQ(counter, 1000);
    EXPECT_EQ(executor.stats().completed, 1000u);
    EXPECT_EQ(executor.stats().polls, 1000u);
    EXPECT_EQ(frames.live(), 0u);
    EXPECT_EQ(console_capture::take(), "");  // spawning many is normal: no warning
}

TEST_F(ExecutorTest, ThousandYieldingTasksAllComplete) {
    std::vector<std::string> log;
    for (int i = 0; i < 1000; ++i) executor.spawn(yield_times(3, log, 'x'));
    EXPECT_EQ(executor.run_until_idle(), 0u);
    EXPECT_EQ(executor.stats().completed, 1000u);
    EXPECT_EQ(log.size(), 4000u);
    // 1000 tasks yielding at once do overflow a 100-entry wake queue: reported, and recovered.
    EXPECT_GT(executor.wake_queue().dropped(), 0u);
    EXPECT_GT(executor.stats().sweeps, 0u);
}

TEST_F(ExecutorTest, TasksSpawnTasks) {
    int counter = 0;
    auto parent = [](Executor& executor, int& counter) -> Task {
        for (int i = 0; i < 100; ++i)
            executor.spawn(count_up(counter));  // grows the task table mid-poll
        co_await task::yield_now();
        ++counter;
    };
    executor.spawn(parent(executor, counter));
    EXPECT_EQ(executor.run_until_idle(), 0u);
    EXPECT_EQ(counter, 101);
}

TEST_F(ExecutorTest, SpawnOrderNeedNotBeIdOrder) {
    int counter = 0;
    Task first = count_up(counter);
    Task second = count_up(counter);
    executor.spawn(std::move(second));
    executor.spawn(std::move(first));
    EXPECT_EQ(executor.run_until_idle(), 0u);
    EXPECT_EQ(counter, 2);
}

// --- Executor: wakers ----------------------------------------------------------------------------

TEST_F(ExecutorTest, OnlyWokenTasksArePolledAgain) {
    Signal a;
    Signal b;
    int finished = 0;
    executor.spawn(wait_for(a, finished));
    executor.spawn(wait_for(b, finished));

    EXPECT_EQ(executor.run_until_idle(), 2u);  // both polled once, both waiting
    EXPECT_EQ(executor.stats().polls, 2u);
    EXPECT_EQ(a.polls, 1);
    EXPECT_EQ(b.polls, 1);

    EXPECT_EQ(executor.run_until_idle(), 2u);  // nobody woken: nobody polled
    EXPECT_EQ(executor.stats().polls, 2u);

    a.fire();
    EXPECT_EQ(executor.run_until_idle(), 1u);
    EXPECT_EQ(executor.stats().polls, 3u);
    EXPECT_EQ(a.polls, 2);
    EXPECT_EQ(b.polls, 1);  // b was not woken and not polled
    EXPECT_EQ(finished, 1);

    b.waker->wake();  // a spurious wake-up: b is polled, finds nothing, waits again
    EXPECT_EQ(executor.run_until_idle(), 1u);
    EXPECT_EQ(b.polls, 2);
    b.fire();
    EXPECT_EQ(executor.run_until_idle(), 0u);
    EXPECT_EQ(finished, 2);
}

TEST_F(ExecutorTest, WakingAFinishedTaskIsHarmless) {
    Signal signal;
    int finished = 0;
    executor.spawn(wait_for(signal, finished));
    EXPECT_EQ(executor.run_until_idle(), 1u);
    signal.fire();
    EXPECT_EQ(executor.run_until_idle(), 0u);
    signal.waker->wake();  // the task is gone
    signal.waker->wake();
    EXPECT_EQ(executor.run_until_idle(), 0u);
    EXPECT_EQ(executor.stats().polls, 2u);
}

// 101 tasks wait; all 101 wakers fire before the executor runs. The queue holds 100: the 101st
// wake-up is dropped, counted and reported once -- and no task is lost, because the executor
// then polls every task.
TEST_F(ExecutorTest, WakeQueueOverflowIsReportedAndRecovered) {
    std::vector<Signal> signals(101);
    int finished = 0;
    for (Signal& signal : signals) executor.spawn(wait_for(signal, finished));
    EXPECT_EQ(executor.run_until_idle(), 101u);
    console_capture::take();

    for (Signal& signal : signals) signal.fire();
    EXPECT_EQ(executor.wake_queue().size(), 100u);
    EXPECT_EQ(executor.wake_queue().dropped(), 1u);
    const std::string warning = console_capture::take();
    EXPECT_EQ(warning, "WARNING: task queue full; dropping wake-up of TaskId(" +
                           std::to_string(signals.back().waker->id().value()) +
                           ") (every task will be polled)\n");

    EXPECT_EQ(executor.run_until_idle(), 0u);
    EXPECT_EQ(finished, 101);
    EXPECT_EQ(executor.stats().sweeps, 1u);
    EXPECT_EQ(console_capture::take(), "");  // one warning per overflow, not one per drop

    // A second overflow warns again.
    std::vector<Signal> more(102);
    for (Signal& signal : more) executor.spawn(wait_for(signal, finished));
    EXPECT_EQ(executor.run_until_idle(), 102u);
    for (Signal& signal : more) signal.fire();
    EXPECT_EQ(executor.wake_queue().dropped(), 3u);
    EXPECT_NE(console_capture::take().find("WARNING: task queue full"), std::string::npos);
    EXPECT_EQ(executor.run_until_idle(), 0u);
    EXPECT_EQ(finished, 101 + 102);
}

TEST(ExecutorDeathTest, SpawningTheSameTaskIdTwiceIsImpossible) {
    // Task is move-only, so the same id cannot be spawned twice; an empty (moved-from) Task is
    // refused with a clear message.
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            Executor executor{FakeCpu::hooks()};
            int counter = 0;
            Task task = count_up(counter);
            executor.spawn(std::move(task));
            executor.spawn(std::move(task));  // NOLINT(bugprone-use-after-move)
        },
        "cannot spawn an empty Task");
}

// --- Executor: sleeping -------------------------------------------------------------------------

TEST_F(ExecutorTest, SleepsWhenNothingIsReady) {
    executor.sleep_if_idle();
    EXPECT_EQ(cpu.trace, (std::vector<std::string>{"cli", "sti;hlt"}));
    EXPECT_EQ(cpu.halts, 1);
    EXPECT_TRUE(cpu.interrupts_on);
}

TEST_F(ExecutorTest, DoesNotSleepWithATaskReady) {
    Signal signal;
    int finished = 0;
    executor.spawn(wait_for(signal, finished));
    executor.sleep_if_idle();  // the new task is ready
    EXPECT_EQ(cpu.trace, (std::vector<std::string>{"cli", "sti"}));
    EXPECT_EQ(cpu.halts, 0);

    EXPECT_EQ(executor.run_until_idle(), 1u);
    cpu.trace.clear();
    signal.fire();  // woken: ready again
    executor.sleep_if_idle();
    EXPECT_EQ(cpu.trace, (std::vector<std::string>{"cli", "sti"}));
    EXPECT_EQ(cpu.halts, 0);
}

Signal* irq_signal = nullptr;

// The wake-up comes from an interrupt right before the cli. An executor that looked at the queue
// before disabling interrupts would have seen it empty and halted, with the woken task left
// waiting until some unrelated interrupt. Ours checks after the cli and sees it.
TEST_F(ExecutorTest, WakeUpJustBeforeCliIsSeen) {
    Signal signal;
    irq_signal = &signal;
    int finished = 0;
    executor.spawn(wait_for(signal, finished));
    EXPECT_EQ(executor.run_until_idle(), 1u);

    cpu.before_cli = [] { FakeCpu::instance().raise([] { irq_signal->fire(); }); };
    executor.sleep_if_idle();
    EXPECT_EQ(cpu.halts, 0);
    EXPECT_EQ(executor.run_until_idle(), 0u);
    EXPECT_EQ(finished, 1);
}

// An interrupt raised after the check (interrupts off) is held until sti, and `sti; hlt` lets it
// end the halt right away: it is handled, not lost.
TEST_F(ExecutorTest, WakeUpAfterTheCheckEndsTheHalt) {
    Signal signal;
    irq_signal = &signal;
    int finished = 0;
    executor.spawn(wait_for(signal, finished));
    EXPECT_EQ(executor.run_until_idle(), 1u);

    cpu.before_cli = [] {
        // Scheduled so that it is raised while interrupts are off.
        FakeCpu::instance().pending = [] { irq_signal->fire(); };
    };
    executor.sleep_if_idle();
    EXPECT_EQ(cpu.trace, (std::vector<std::string>{"cli", "sti;hlt"}));
    EXPECT_EQ(executor.wake_queue().size(), 1u);  // delivered by the hlt
    EXPECT_EQ(executor.run_until_idle(), 0u);
    EXPECT_EQ(finished, 1);
}

TEST(ExecutorDeathTest, SleepIfIdleWithInterruptsOffPanics) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            FakeCpu::instance().reset();
            FakeCpu::instance().interrupts_on = false;
            Executor executor{FakeCpu::hooks()};
            executor.sleep_if_idle();
        },
        "sleep_if_idle with interrupts disabled");
}

// run() end to end on the fake CPU: each hlt is ended by the next "interrupt" of a script; the
// script ends by throwing out of the otherwise endless loop.
struct EndOfScript {};
std::vector<Signal>* script_signals = nullptr;
std::size_t script_step = 0;

TEST_F(ExecutorTest, RunSleepsBetweenWakeUps) {
    std::vector<Signal> signals(3);
    script_signals = &signals;
    script_step = 0;
    int finished = 0;
    for (Signal& signal : signals) executor.spawn(wait_for(signal, finished));
    cpu.on_halt = [] {
        if (script_step == script_signals->size()) throw EndOfScript{};
        (*script_signals)[script_step++].fire();
    };
    EXPECT_THROW(executor.run(), EndOfScript);
    EXPECT_EQ(finished, 3);
    EXPECT_EQ(cpu.halts, 4);                // one before each wake-up, one with nothing left to do
    EXPECT_EQ(executor.stats().polls, 6u);  // each task: first poll, poll after its wake-up
}

}  // namespace
