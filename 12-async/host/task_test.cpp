// Host tests of Task and Future<T> (src/task/task.h, src/task/future.h): awaiting values, chains
// of coroutines that wait on a leaf as one task, frames on the (fake-able) coroutine frame
// allocator.

#include "task/task.h"
#include "console_capture.h"
#include "task/console.h"
#include "task/simple_executor.h"
#include "task/wake_queue.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

namespace {

using task::Context;
using task::Future;
using task::Poll;
using task::Task;
using task::Waker;
using test_support::CoroutineFrameAllocatorScope;
using test_support::Signal;

// The Rust series' example, word for word.
Future<std::uint32_t> async_number() { co_return 42; }

Task example_task() {
    const std::uint32_t number = co_await async_number();
    task::println("async number: {}", number);
}

TEST(Task, AwaitedValueArrives) {
    console_capture::take();
    task::SimpleExecutor executor;
    executor.spawn(example_task());
    executor.run();
    EXPECT_EQ(console_capture::take(), "async number: 42\n");
}

// Polled by hand: a task whose awaits are all ready finishes in its first poll.
TEST(Task, ReadyChainFinishesInOnePoll) {
    int result = 0;
    auto add = [](int a, int b) -> Future<int> { co_return a + b; };
    auto task = [](int& out, auto add) -> Task {
        const int x = co_await add(1, 2);
        const int y = co_await add(x, 39);
        out = y;
    }(result, add);
    task::WakeQueue queue;
    Context context{Waker{task.id(), queue}};
    EXPECT_EQ(task.poll(context), Poll::Ready);
    EXPECT_EQ(result, 42);
    EXPECT_TRUE(queue.empty());
}

Future<int> depth(int n) {
    if (n == 0) co_return 0;
    co_return 1 + co_await depth(n - 1);
}

// 10000 coroutines awaiting each other: each await and each return is a transfer of control
// (symmetric transfer), so the chain runs to the bottom and back without a failure.
TEST(Task, DeepChainOfAwaits) {
    int result = -1;
    auto task = [](int& out) -> Task { out = co_await depth(10'000); }(result);
    task::WakeQueue queue;
    Context context{Waker{task.id(), queue}};
    EXPECT_EQ(task.poll(context), Poll::Ready);
    EXPECT_EQ(result, 10'000);
}

Future<std::unique_ptr<int>> make_boxed(int value) { co_return std::make_unique<int>(value); }
Future<void> nothing() { co_return; }

TEST(Task, MoveOnlyAndVoidResults) {
    int result = 0;
    auto task = [](int& out) -> Task {
        co_await nothing();
        std::unique_ptr<int> boxed = co_await make_boxed(7);
        out = *boxed;
    }(result);
    task::WakeQueue queue;
    Context context{Waker{task.id(), queue}};
    EXPECT_EQ(task.poll(context), Poll::Ready);
    EXPECT_EQ(result, 7);
}

// A leaf that is not ready, three coroutines deep: the whole task is Pending; the next poll
// polls the leaf again and does not resume anything while it is still pending; once it is ready
// the chain continues and the values travel up.
Future<int> inner(Signal& signal) {
    co_await signal.wait();
    co_return 40;
}
Future<int> middle(Signal& signal) { co_return 1 + co_await inner(signal); }

TEST(Task, PendingLeafSuspendsTheWholeTask) {
    Signal signal;
    int result = 0;
    int steps = 0;
    auto task = [](Signal& s, int& out, int& steps) -> Task {
        ++steps;
        const int value = co_await middle(s);
        ++steps;
        out = value + 1;
    }(signal, result, steps);
    task::WakeQueue queue;
    Context context{Waker{task.id(), queue}};

    EXPECT_EQ(task.poll(context), Poll::Pending);
    EXPECT_EQ(signal.polls, 1);
    EXPECT_EQ(steps, 1);
    ASSERT_TRUE(signal.waker.has_value());
    EXPECT_EQ(signal.waker->id(), task.id());

    EXPECT_EQ(task.poll(context),
              Poll::Pending);  // polled early: the leaf is asked again, that is all
    EXPECT_EQ(signal.polls, 2);
    EXPECT_EQ(steps, 1);

    signal.fire();
    EXPECT_EQ(queue.pop(), task.id());  // the waker queued the task
    EXPECT_EQ(task.poll(context), Poll::Ready);
    EXPECT_EQ(signal.polls, 3);
    EXPECT_EQ(steps, 2);
    EXPECT_EQ(result, 42);
}

TEST(Task, IdsAreUniqueAndIncreasing) {
    Task a = example_task();
    Task b = example_task();
    EXPECT_LT(a.id(), b.id());
    const task::TaskId id = a.id();
    Task moved = std::move(a);
    EXPECT_EQ(moved.id(), id);
    EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from is empty
}

TEST(Task, FormatsItsId) {
    console_capture::take();
    Task a = example_task();
    task::print("{}", a.id());
    EXPECT_EQ(console_capture::take(), "TaskId(" + std::to_string(a.id().value()) + ")");
}

// --- frames and the coroutine frame allocator ---------------------------------------------------

TEST(Frames, EveryFrameComesFromTheCoroutineFrameAllocatorAndIsFreed) {
    CoroutineFrameAllocatorScope frames;
    {
        task::SimpleExecutor executor;
        executor.spawn(example_task());  // one frame for the task...
        EXPECT_EQ(frames.allocated(), 1u);
        executor.run();  // ...and one for async_number while it is awaited
        EXPECT_EQ(frames.allocated(), 2u);
    }
    EXPECT_EQ(frames.live(), 0u);
}

TEST(Frames, DestroyingAPendingTaskFreesItsWholeChain) {
    CoroutineFrameAllocatorScope frames;
    Signal signal;
    {
        auto task = [](Signal& s) -> Task { (void)co_await middle(s); }(signal);
        task::WakeQueue queue;
        Context context{Waker{task.id(), queue}};
        EXPECT_EQ(task.poll(context), Poll::Pending);
        EXPECT_EQ(frames.live(), 3u);  // task, middle, inner
    }
    EXPECT_EQ(frames.live(), 0u);
}

TEST(Frames, FailedTaskFrameGivesAnEmptyTaskThatNamesTheSize) {
    CoroutineFrameAllocatorScope frames(0);  // nothing fits
    Task task = example_task();
    EXPECT_FALSE(task);
    EXPECT_GT(task.failed_frame_size(), 0u);
    EXPECT_EQ(task.failed_frame_size(), task::last_failed_frame_size());
    EXPECT_EQ(frames.failed(), 1u);
    EXPECT_EQ(frames.live(), 0u);
}

TEST(FramesDeathTest, SpawningAnEmptyTaskPanicsWithTheSize) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            CoroutineFrameAllocatorScope frames(0);
            task::SimpleExecutor executor;
            executor.spawn(example_task());
        },
        "cannot spawn TaskId\\([0-9]+\\): out of memory for its [0-9]+-byte coroutine frame");
}

// The task's frame fits, the awaited child's does not: the await panics, naming the size.
TEST(FramesDeathTest, AwaitingAFutureWhoseFrameFailedPanics) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            CoroutineFrameAllocatorScope frames(1);
            task::SimpleExecutor executor;
            executor.spawn(example_task());
            executor.run();
        },
        "out of memory: no room for the [0-9]+-byte coroutine frame of an awaited future");
}

// A task can handle the failure itself: an empty Future is false before it is awaited.
TEST(Frames, ATaskCanHandleAFailedChildFrame) {
    console_capture::take();
    CoroutineFrameAllocatorScope frames(1);
    auto careful = []() -> Task {
        Future<std::uint32_t> number = async_number();
        if (!number) {
            task::println("no memory for async_number ({} bytes)", number.failed_frame_size());
            co_return;
        }
        // Awaited into a variable first, as example_task does: g++ 14 rejects a co_await inside
        // the arguments of println, whose format string is checked by a consteval constructor.
        const std::uint32_t value = co_await std::move(number);
        task::println("async number: {}", value);
    };
    task::SimpleExecutor executor;
    executor.spawn(careful());
    executor.run();
    const std::string out = console_capture::take();
    EXPECT_EQ(out.rfind("no memory for async_number (", 0), 0u) << out;
    EXPECT_EQ(frames.live(), 0u);
}

}  // namespace
