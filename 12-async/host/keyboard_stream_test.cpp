// Host tests of the async keyboard stream (src/task/scancode_stream.h): scancodes from the
// "interrupt handler" arrive in order through the stream, a waiting reader is woken, overflow drops
// with a warning, and print_keypresses types what the stage 07 decoder makes of the bytes.

#include "console_capture.h"
#include "task/executor.h"
#include "task/scancode_stream.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

using task::Executor;
using task::ScancodeQueue;
using task::ScancodeStream;
using task::Task;
using test_support::FakeCpu;

Task collect(ScancodeQueue& queue, std::size_t count, std::vector<std::uint8_t>& out) {
    ScancodeStream stream{queue};
    while (out.size() < count) out.push_back(co_await stream.next());
}

class KeyboardStreamTest : public ::testing::Test {
protected:
    void SetUp() override {
        FakeCpu::instance().reset();
        console_capture::take();
    }
    Executor executor{FakeCpu::hooks()};
    ScancodeQueue queue;
};

TEST_F(KeyboardStreamTest, DeliversInOrder) {
    std::vector<std::uint8_t> received;
    for (std::uint8_t code : {0x1e, 0x9e, 0x30, 0xb0}) queue.add(code);
    executor.spawn(collect(queue, 4, received));
    EXPECT_EQ(executor.run_until_idle(), 0u);
    EXPECT_EQ(received, (std::vector<std::uint8_t>{0x1e, 0x9e, 0x30, 0xb0}));
}

TEST_F(KeyboardStreamTest, WaitingReaderIsWokenByTheInterruptSide) {
    std::vector<std::uint8_t> received;
    executor.spawn(collect(queue, 2, received));
    EXPECT_EQ(executor.run_until_idle(), 1u);  // nothing typed yet: waiting
    const std::uint64_t polls = executor.stats().polls;
    EXPECT_EQ(executor.run_until_idle(), 1u);
    EXPECT_EQ(executor.stats().polls, polls);  // not polled while nothing happens

    queue.add(0x10);  // what add_scancode does in IRQ1
    EXPECT_EQ(executor.wake_queue().size(), 1u);
    EXPECT_EQ(executor.run_until_idle(), 1u);
    EXPECT_EQ(received, (std::vector<std::uint8_t>{0x10}));
    queue.add(0x11);
    EXPECT_EQ(executor.run_until_idle(), 0u);
    EXPECT_EQ(received, (std::vector<std::uint8_t>{0x10, 0x11}));
}

TEST_F(KeyboardStreamTest, HundredAndFirstPendingScancodeIsDroppedWithAWarning) {
    std::vector<std::uint8_t> received;
    for (int i = 0; i < 100; ++i) queue.add(static_cast<std::uint8_t>(i));
    EXPECT_EQ(console_capture::take(), "");
    queue.add(0xff);  // no room
    EXPECT_EQ(console_capture::take(), "WARNING: scancode queue full; dropping keyboard input\n");
    EXPECT_EQ(queue.dropped(), 1u);

    executor.spawn(collect(queue, 101, received));
    EXPECT_EQ(executor.run_until_idle(), 1u);  // 100 arrived; the task waits for a 101st
    ASSERT_EQ(received.size(), 100u);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(received[i], i);
    queue.add(0x42);  // room again
    EXPECT_EQ(executor.run_until_idle(), 0u);
    EXPECT_EQ(received.back(), 0x42);
}

// Scancode set 1 for: Shift+h, i, Shift+1, Enter, ArrowUp (extended 0xe0 0x48).
const std::vector<std::uint8_t> TYPED = {0x2a, 0x23, 0xa3, 0xaa, 0x17, 0x97, 0x2a, 0x02,
                                         0x82, 0xaa, 0x1c, 0x9c, 0xe0, 0x48, 0xe0, 0xc8};

TEST_F(KeyboardStreamTest, PrintKeypressesDecodesAndPrints) {
    executor.spawn(task::print_keypresses(queue));
    EXPECT_EQ(executor.run_until_idle(), 1u);  // never finishes: waits for keys
    for (const std::uint8_t code : TYPED) queue.add(code);
    EXPECT_EQ(executor.run_until_idle(), 1u);
    EXPECT_EQ(console_capture::take(), "Hi!\nArrowUp");
}

// Keys arriving one interrupt at a time, with the executor running in between.
TEST_F(KeyboardStreamTest, PrintKeypressesOneKeyAtATime) {
    executor.spawn(task::print_keypresses(queue));
    for (const std::uint8_t code : TYPED) {
        queue.add(code);
        EXPECT_EQ(executor.run_until_idle(), 1u);
    }
    EXPECT_EQ(console_capture::take(), "Hi!\nArrowUp");
}

// The kernel's path: add_scancode feeds the global queue that print_keypresses() reads by
// default; run() sleeps until the next "IRQ1".
std::size_t next_key = 0;
struct EndOfScript {};

TEST_F(KeyboardStreamTest, KernelQueueWithRunAndInterrupts) {
    next_key = 0;
    FakeCpu::instance().on_halt = [] {
        if (next_key == TYPED.size()) throw EndOfScript{};
        task::add_scancode(TYPED[next_key++]);  // "IRQ1"
    };
    executor.spawn(task::print_keypresses());
    EXPECT_THROW(executor.run(), EndOfScript);
    EXPECT_EQ(console_capture::take(), "Hi!\nArrowUp");
    EXPECT_EQ(FakeCpu::instance().halts, static_cast<int>(TYPED.size()) + 1);
}

// A reader that goes away takes its waker with it: a later scancode must not wake (through a
// dangling pointer) the wake queue of an executor that no longer exists. ASan watches.
TEST(KeyboardStream, DestroyedReaderLeavesNoWakerBehind) {
    ScancodeQueue queue;
    {
        Executor executor{FakeCpu::hooks()};
        executor.spawn(task::print_keypresses(queue));
        EXPECT_EQ(executor.run_until_idle(), 1u);  // registered its waker, waiting
    }
    queue.add(0x1e);
    SUCCEED();
}

TEST(KeyboardStreamDeathTest, OnlyOneStreamPerQueue) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    ScancodeQueue queue;
    { ScancodeStream first{queue}; }
    ScancodeStream again{queue};  // the first is gone: allowed
    EXPECT_DEATH({ ScancodeStream second{queue}; }, "a ScancodeStream already reads this queue");
}

}  // namespace
