// Host tests of Waker, WakeQueue and AtomicWaker (src/task/waker.h, wake_queue.h,
// atomic_waker.h).

#include "task/waker.h"
#include "console_capture.h"
#include "task/atomic_waker.h"
#include "task/task_id.h"
#include "task/wake_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace {

using task::AtomicWaker;
using task::TaskId;
using task::WakeQueue;
using task::Waker;

TEST(Waker, WakePushesTheTaskId) {
    WakeQueue queue;
    const TaskId id = TaskId::next();
    const Waker waker{id, queue};
    waker.wake();
    waker.wake();  // twice is allowed; the executor polls twice, harmlessly
    EXPECT_EQ(queue.pop(), id);
    EXPECT_EQ(queue.pop(), id);
    EXPECT_EQ(queue.pop(), std::nullopt);
}

TEST(Waker, NoopWakerDoesNothing) {
    const Waker waker = Waker::noop(TaskId::next());
    waker.wake();  // no queue to push to, nothing to crash
    SUCCEED();
}

TEST(Waker, WillWake) {
    WakeQueue queue;
    WakeQueue other_queue;
    const TaskId id = TaskId::next();
    EXPECT_TRUE(Waker(id, queue).will_wake(Waker(id, queue)));
    EXPECT_FALSE(Waker(id, queue).will_wake(Waker(TaskId::next(), queue)));
    EXPECT_FALSE(Waker(id, queue).will_wake(Waker(id, other_queue)));
}

TEST(WakeQueue, HundredFitTheHundredAndFirstIsDroppedWithOneWarning) {
    console_capture::take();
    WakeQueue queue;
    const TaskId id = TaskId::next();
    for (int i = 0; i < 100; ++i) queue.push(id);
    EXPECT_EQ(console_capture::take(), "");
    EXPECT_FALSE(queue.overflowed());

    queue.push(id);  // the 101st
    EXPECT_EQ(queue.dropped(), 1u);
    EXPECT_TRUE(queue.overflowed());
    EXPECT_EQ(console_capture::take(), "WARNING: task queue full; dropping wake-up of TaskId(" +
                                           std::to_string(id.value()) +
                                           ") (every task will be polled)\n");
    queue.push(id);
    queue.push(id);
    EXPECT_EQ(queue.dropped(), 3u);
    EXPECT_EQ(console_capture::take(), "");  // once per overflow

    EXPECT_TRUE(queue.take_overflow());
    EXPECT_FALSE(queue.take_overflow());
    EXPECT_EQ(queue.size(), 100u);  // the queued ones are intact
    queue.push(id);
    EXPECT_NE(console_capture::take(), "");  // a new overflow warns again
}

TEST(AtomicWaker, WakeWakesTheRegisteredWakerOnce) {
    WakeQueue queue;
    AtomicWaker slot;
    const TaskId id = TaskId::next();
    slot.wake();  // nothing registered: nothing happens
    EXPECT_TRUE(queue.empty());
    slot.register_waker(Waker{id, queue});
    slot.wake();
    EXPECT_EQ(queue.pop(), id);
    slot.wake();  // the slot was emptied by the first wake
    EXPECT_TRUE(queue.empty());
}

TEST(AtomicWaker, RegisterReplacesAndTakeEmpties) {
    WakeQueue queue;
    AtomicWaker slot;
    const TaskId first = TaskId::next();
    const TaskId second = TaskId::next();
    slot.register_waker(Waker{first, queue});
    slot.register_waker(Waker{second, queue});
    const std::optional<Waker> taken = slot.take();
    ASSERT_TRUE(taken.has_value());
    EXPECT_EQ(taken->id(), second);
    EXPECT_FALSE(slot.take().has_value());
    EXPECT_TRUE(queue.empty());
}

// The producer/consumer handshake a stream does, on two threads, many times over: the consumer
// registers, then looks for data; the producer publishes data, then wakes. However the two
// interleave, the consumer either sees the data or gets a wake-up: it never waits forever.
TEST(AtomicWaker, NoLostWakeUpsUnderContention) {
    constexpr int ROUNDS = 20'000;
    WakeQueue queue;
    AtomicWaker slot;
    std::atomic<int> published{0};
    std::atomic<int> consumed{0};
    const TaskId id = TaskId::next();

    std::thread producer([&] {
        for (int i = 1; i <= ROUNDS; ++i) {
            while (consumed.load() != i - 1) std::this_thread::yield();
            published.store(i);
            slot.wake();
        }
    });

    for (int i = 1; i <= ROUNDS; ++i) {
        for (;;) {
            if (published.load() == i) break;  // fast path
            slot.register_waker(Waker{id, queue});
            if (published.load() == i) break;
            // Nothing yet: a wake-up must come. Wait for it (bounded, to fail instead of hang).
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            while (queue.empty()) {
                ASSERT_LT(std::chrono::steady_clock::now(), deadline)
                    << "lost wake-up in round " << i;
                std::this_thread::yield();
            }
            while (queue.pop()) {}
        }
        consumed.store(i);
        while (queue.pop()) {}
    }
    producer.join();
}

}  // namespace
