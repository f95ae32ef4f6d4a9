// Throughput of the executor on the host (Google Benchmark; built -O2, no sanitizers). Frames
// come from glibc's malloc here, the kernel heap in the kernel. Reported, not enforced; the goal
// for spawn-and-complete is 5 million trivial tasks per second.

#include "task/array_queue.h"
#include "task/executor.h"
#include "task/future.h"
#include "task/simple_executor.h"
#include "task/task.h"
#include "task/yield_now.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace {

using task::Executor;
using task::Task;

// Never called: the benchmarks always have work until they stop, and never sleep.
task::IdleHooks no_idle() {
    return {[] { return true; }, [] {}, [] {}, [] {}};
}

Task trivial(std::uint64_t& done) {
    ++done;
    co_return;
}

// Spawn a batch of trivial tasks, run them all to completion: frame allocation, TaskMap insert,
// first poll, completion, erase, frame free.
void BM_SpawnAndComplete(benchmark::State& state) {
    const auto batch = static_cast<std::size_t>(state.range(0));
    Executor executor{no_idle()};
    std::uint64_t done = 0;
    for (auto _ : state) {
        for (std::size_t i = 0; i < batch; ++i) executor.spawn(trivial(done));
        if (executor.run_until_idle() != 0) state.SkipWithError("tasks left");
    }
    benchmark::DoNotOptimize(done);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
    state.counters["tasks/s"] = benchmark::Counter(static_cast<double>(state.iterations() * batch),
                                                   benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SpawnAndComplete)->Arg(1)->Arg(100)->Arg(1000)->Arg(10000);

void BM_SimpleExecutorSpawnAndComplete(benchmark::State& state) {
    const auto batch = static_cast<std::size_t>(state.range(0));
    std::uint64_t done = 0;
    for (auto _ : state) {
        task::SimpleExecutor executor;
        for (std::size_t i = 0; i < batch; ++i) executor.spawn(trivial(done));
        executor.run();
    }
    benchmark::DoNotOptimize(done);
    state.counters["tasks/s"] = benchmark::Counter(static_cast<double>(state.iterations() * batch),
                                                   benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimpleExecutorSpawnAndComplete)->Arg(1000);

// A leaf that is ready once per ring: the benchmark rings (wakes) every task, the executor polls
// each, the task loops and waits for the next ring.
struct Doorbell {
    std::uint64_t rings = 0;
    std::optional<task::Waker> waker;

    struct Wait {
        Doorbell* bell;
        std::uint64_t seen;
        std::optional<std::uint64_t> poll(task::Context& context) noexcept {
            if (bell->rings != seen) return bell->rings;
            bell->waker = context.waker();
            return std::nullopt;
        }
    };
};

Task answer_doorbell(Doorbell& bell) {
    std::uint64_t seen = 0;
    for (;;) seen = co_await Doorbell::Wait{&bell, seen};
}

// Wake-up throughput: Waker::wake (push onto the wake queue) -> pop -> TaskMap lookup -> poll the
// parked leaf -> resume the coroutine -> it awaits again and parks. `tasks` at most 100, the
// queue's capacity, so no wake-up is dropped.
void BM_WakeToPoll(benchmark::State& state) {
    const auto tasks = static_cast<std::size_t>(state.range(0));
    Executor executor{no_idle()};
    std::vector<Doorbell> bells(tasks);
    for (Doorbell& bell : bells) executor.spawn(answer_doorbell(bell));
    executor.run_until_idle();
    const std::uint64_t polls_before = executor.stats().polls;
    for (auto _ : state) {
        for (Doorbell& bell : bells) {
            ++bell.rings;
            bell.waker->wake();
        }
        executor.run_until_idle();
    }
    if (executor.stats().polls - polls_before != state.iterations() * tasks)
        state.SkipWithError("polls != wakes");
    state.counters["wakeups/s"] = benchmark::Counter(
        static_cast<double>(state.iterations() * tasks), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_WakeToPoll)->Arg(1)->Arg(10)->Arg(100);

// yield_now in a loop: the task wakes itself and is polled again, 1000 times per task.
Task yield_times(std::uint64_t n, std::uint64_t& count) {
    for (std::uint64_t i = 0; i < n; ++i) {
        ++count;
        co_await task::yield_now();
    }
}

void BM_YieldNow(benchmark::State& state) {
    Executor executor{no_idle()};
    std::uint64_t count = 0;
    for (auto _ : state) {
        executor.spawn(yield_times(1000, count));
        executor.run_until_idle();
    }
    benchmark::DoNotOptimize(count);
    state.counters["yields/s"] = benchmark::Counter(static_cast<double>(state.iterations() * 1000),
                                                    benchmark::Counter::kIsRate);
}
BENCHMARK(BM_YieldNow);

task::Future<std::uint32_t> async_number() { co_return 42; }

// co_await of a child coroutine: frame allocation, symmetric transfer there and back, free.
void BM_AwaitFuture(benchmark::State& state) {
    std::uint64_t sum = 0;
    auto awaiting = [](std::uint64_t n, std::uint64_t& sum) -> Task {
        for (std::uint64_t i = 0; i < n; ++i) sum += co_await async_number();
    };
    Executor executor{no_idle()};
    for (auto _ : state) {
        executor.spawn(awaiting(1000, sum));
        executor.run_until_idle();
    }
    benchmark::DoNotOptimize(sum);
    state.counters["awaits/s"] = benchmark::Counter(static_cast<double>(state.iterations() * 1000),
                                                    benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AwaitFuture);

void BM_ArrayQueuePushPop(benchmark::State& state) {
    task::ArrayQueue<std::uint64_t, 100> queue;
    std::uint64_t value = 0;
    for (auto _ : state) {
        if (!queue.push(value++)) state.SkipWithError("full");
        benchmark::DoNotOptimize(queue.pop());
    }
    state.counters["pairs/s"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ArrayQueuePushPop);

}  // namespace
