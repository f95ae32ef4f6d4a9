// Host tests of the lock-free bounded queue (src/task/array_queue.h).

#include "task/array_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace {

using task::ArrayQueue;

TEST(ArrayQueue, StartsEmpty) {
    ArrayQueue<int, 4> queue;
    EXPECT_TRUE(queue.empty());
    EXPECT_FALSE(queue.full());
    EXPECT_EQ(queue.size(), 0u);
    EXPECT_EQ(queue.pop(), std::nullopt);
    static_assert(ArrayQueue<int, 4>::CAPACITY == 4);
}

TEST(ArrayQueue, FirstInFirstOut) {
    ArrayQueue<int, 8> queue;
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(queue.push(i));
    EXPECT_EQ(queue.size(), 5u);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(queue.pop(), i);
    EXPECT_TRUE(queue.empty());
}

TEST(ArrayQueue, HoldsExactlyCapacityThenRefuses) {
    ArrayQueue<std::uint8_t, 100> queue;
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(queue.push(static_cast<std::uint8_t>(i))) << i;
    EXPECT_TRUE(queue.full());
    EXPECT_FALSE(queue.push(200));  // the 101st
    EXPECT_EQ(queue.size(), 100u);
    // The refused value left no trace: the 100 come out in order.
    for (int i = 0; i < 100; ++i) EXPECT_EQ(queue.pop(), static_cast<std::uint8_t>(i));
    EXPECT_EQ(queue.pop(), std::nullopt);
}

TEST(ArrayQueue, WrapsAroundManyTimes) {
    // Capacity 3 is not a power of two: positions wrap through `% Capacity`.
    ArrayQueue<int, 3> queue;
    int next_in = 0;
    int next_out = 0;
    for (int round = 0; round < 1000; ++round) {
        while (queue.push(next_in)) ++next_in;
        EXPECT_TRUE(queue.full());
        for (int k = 0; k < 1 + round % 3; ++k) {
            const std::optional<int> value = queue.pop();
            ASSERT_TRUE(value.has_value());
            ASSERT_EQ(*value, next_out++);
        }
    }
}

TEST(ArrayQueue, CanBeConstinit) {
    // The scancode queue is a constinit global: the constructor must be a constant expression.
    static constinit ArrayQueue<std::uint8_t, 100> global;
    ASSERT_TRUE(global.push(7));
    EXPECT_EQ(global.pop(), 7);
}

struct Pair {
    std::uint32_t producer;
    std::uint32_t sequence;
};

// Several producers and one consumer on real threads: every value arrives exactly once, and each
// producer's values arrive in the order it pushed them.
TEST(ArrayQueue, ManyProducersOneConsumer) {
    constexpr std::uint32_t PRODUCERS = 4;
    constexpr std::uint32_t PER_PRODUCER = 50'000;
    ArrayQueue<Pair, 100> queue;
    std::atomic<bool> go{false};
    std::vector<std::thread> producers;
    for (std::uint32_t p = 0; p < PRODUCERS; ++p) {
        producers.emplace_back([&queue, &go, p] {
            while (!go.load()) std::this_thread::yield();
            for (std::uint32_t i = 0; i < PER_PRODUCER; ++i) {
                while (!queue.push(Pair{p, i})) std::this_thread::yield();
            }
        });
    }
    go.store(true);
    std::vector<std::uint32_t> next(PRODUCERS, 0);
    std::uint64_t received = 0;
    while (received < PRODUCERS * PER_PRODUCER) {
        const std::optional<Pair> pair = queue.pop();
        if (!pair) {
            std::this_thread::yield();
            continue;
        }
        ASSERT_LT(pair->producer, PRODUCERS);
        ASSERT_EQ(pair->sequence, next[pair->producer]) << "producer " << pair->producer;
        ++next[pair->producer];
        ++received;
    }
    for (std::thread& t : producers) t.join();
    EXPECT_TRUE(queue.empty());
}

// Two consumers as well: the sum of what they took equals the sum of what was pushed.
TEST(ArrayQueue, ManyProducersManyConsumers) {
    constexpr std::uint64_t PER_PRODUCER = 40'000;
    ArrayQueue<std::uint64_t, 16> queue;
    std::atomic<std::uint64_t> taken_sum{0};
    std::atomic<std::uint64_t> taken_count{0};
    std::vector<std::thread> threads;
    for (int p = 0; p < 2; ++p) {
        threads.emplace_back([&queue] {
            for (std::uint64_t i = 1; i <= PER_PRODUCER; ++i) {
                while (!queue.push(i)) std::this_thread::yield();
            }
        });
    }
    for (int c = 0; c < 2; ++c) {
        threads.emplace_back([&] {
            while (taken_count.load() < 2 * PER_PRODUCER) {
                if (const std::optional<std::uint64_t> value = queue.pop()) {
                    taken_sum.fetch_add(*value);
                    taken_count.fetch_add(1);
                } else {
                    std::this_thread::yield();
                }
            }
        });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(taken_count.load(), 2 * PER_PRODUCER);
    EXPECT_EQ(taken_sum.load(), 2 * (PER_PRODUCER * (PER_PRODUCER + 1) / 2));
}

}  // namespace
