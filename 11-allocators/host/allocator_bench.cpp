// Speed of the three kernel allocators next to glibc's malloc/free, measured in one run.
//
//   pair/<allocator>/<size>  allocate + free of one block, sizes 8..2048 (align 8): the cost of
//                            a short-lived Box.
//   churn/<allocator>        1000 live blocks of random sizes (8..2048); each operation frees
//                            a random one and allocates a replacement: a heap in steady use.
//                            The bump allocator is left out: with blocks always alive it never
//                            resets, and the heap runs out.
//
// After Google Benchmark's own table, main prints every time as a ratio to malloc's. Our
// allocators manage a static 16 MiB heap; malloc uses its own. Build with optimisation and
// without sanitizers (the CMake target does).

#include "allocator/bump.h"
#include "allocator/fixed_size_block.h"
#include "allocator/linked_list.h"

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr std::size_t HEAP_SIZE = 16 * 1024 * 1024;
alignas(4096) std::byte heap[HEAP_SIZE];

struct Malloc {
    void* allocate(std::size_t size, std::size_t) { return std::malloc(size); }
    void deallocate(void* pointer, std::size_t, std::size_t) { std::free(pointer); }
};

// A fresh allocator over the static heap for each benchmark run (init may be called once per
// allocator, so the allocator object is made anew).
template <typename Allocator>
void give_heap(Allocator& allocator) {
    if constexpr (!std::is_same_v<Allocator, Malloc>) {
        allocator.init(reinterpret_cast<std::uintptr_t>(heap), HEAP_SIZE);
    }
}

template <typename Allocator>
void pair(benchmark::State& state) {
    const auto size = static_cast<std::size_t>(state.range(0));
    Allocator allocator;
    give_heap(allocator);
    for (auto _ : state) {
        void* block = allocator.allocate(size, 8);
        benchmark::DoNotOptimize(block);  // keeps the compiler from eliding malloc/free pairs
        allocator.deallocate(block, size, 8);
    }
    state.SetItemsProcessed(state.iterations());
}

template <typename Allocator>
void churn(benchmark::State& state) {
    constexpr std::size_t LIVE = 1000;
    constexpr std::size_t SEQUENCE = 1 << 16;  // precomputed so the random generator is not timed
    struct Step {
        std::uint32_t slot;
        std::uint32_t size;
    };
    std::mt19937_64 rng(2024);
    std::vector<Step> steps(SEQUENCE);
    for (Step& step : steps) {
        step.slot = static_cast<std::uint32_t>(rng() % LIVE);
        step.size = static_cast<std::uint32_t>(8 + rng() % 2041);
    }
    struct Slot {
        void* block;
        std::size_t size;
    };
    std::vector<Slot> slots(LIVE);

    Allocator allocator;
    give_heap(allocator);
    for (std::size_t i = 0; i < LIVE; ++i) {
        const std::size_t size = steps[i].size;
        slots[i] = Slot{allocator.allocate(size, 8), size};
    }
    std::size_t next = 0;
    for (auto _ : state) {
        const Step& step = steps[next++ & (SEQUENCE - 1)];
        Slot& slot = slots[step.slot];
        allocator.deallocate(slot.block, slot.size, 8);
        slot = Slot{allocator.allocate(step.size, 8), step.size};
        if (slot.block == nullptr) {
            state.SkipWithError("heap exhausted");
            break;
        }
        *static_cast<unsigned char*>(slot.block) = 1;  // use the block, as a program would
    }
    for (Slot& slot : slots) {
        if (slot.block != nullptr) allocator.deallocate(slot.block, slot.size, 8);
    }
    state.SetItemsProcessed(state.iterations());
}

const char* const ALLOCATORS[] = {"malloc", "bump", "linked_list", "fixed_size_block"};

void register_all() {
    benchmark::RegisterBenchmark("pair/malloc", pair<Malloc>)->RangeMultiplier(2)->Range(8, 2048);
    benchmark::RegisterBenchmark("pair/bump", pair<allocator::BumpAllocator>)
        ->RangeMultiplier(2)
        ->Range(8, 2048);
    benchmark::RegisterBenchmark("pair/linked_list", pair<allocator::LinkedListAllocator>)
        ->RangeMultiplier(2)
        ->Range(8, 2048);
    benchmark::RegisterBenchmark("pair/fixed_size_block", pair<allocator::FixedSizeBlockAllocator>)
        ->RangeMultiplier(2)
        ->Range(8, 2048);
    benchmark::RegisterBenchmark("churn/malloc", churn<Malloc>);
    benchmark::RegisterBenchmark("churn/linked_list", churn<allocator::LinkedListAllocator>);
    benchmark::RegisterBenchmark("churn/fixed_size_block",
                                 churn<allocator::FixedSizeBlockAllocator>);
}

// Whether a run has no timing: it failed or was skipped. Google Benchmark 1.8 replaced the flag
// Run::error_occurred with Run::skipped (an error or a SkipWithMessage); whichever member this
// version's Run has is used, so the file builds against both.
template <typename R>
bool run_without_timing(const R& run) {
    if constexpr (requires { run.skipped; }) {
        return static_cast<bool>(run.skipped);
    } else {
        return run.error_occurred;
    }
}

// Shows the usual table and keeps each benchmark's time per operation (ns) for the ratios.
// With --benchmark_repetitions the median is kept.
class RatioReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& run : runs) {
            if (run_without_timing(run)) continue;
            const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
            if (run.run_type == Run::RT_Iteration || median) {
                const double ns = run.GetAdjustedCPUTime() *
                                  benchmark::GetTimeUnitMultiplier(benchmark::kNanosecond) /
                                  benchmark::GetTimeUnitMultiplier(run.time_unit);
                const std::string& args = run.run_name.args;
                nanoseconds[run.run_name.function_name + (args.empty() ? "" : "/" + args)] = ns;
            }
        }
        ConsoleReporter::ReportRuns(runs);
    }

    std::map<std::string, double> nanoseconds;
};

void print_ratios(const std::map<std::string, double>& ns) {
    auto lookup = [&](const std::string& name) {
        const auto it = ns.find(name);
        return it == ns.end() ? -1.0 : it->second;
    };
    std::printf("\nns per operation, and the ratio to malloc (lower is faster)\n");
    std::printf("%-14s", "benchmark");
    for (const char* name : ALLOCATORS) std::printf("%24s", name);
    std::printf("\n");
    std::vector<std::string> rows;
    for (int size = 8; size <= 2048; size *= 2) rows.push_back("pair/" + std::to_string(size));
    rows.push_back("churn");
    bool goal_met = true;
    for (const std::string& row : rows) {
        const bool is_pair = row.rfind("pair/", 0) == 0;
        const std::string kind = is_pair ? "pair" : "churn";
        const std::string arg = is_pair ? row.substr(5) : "";
        auto name_of = [&](const char* allocator) {
            return kind + "/" + allocator + (arg.empty() ? "" : "/" + arg);
        };
        const double base = lookup(name_of("malloc"));
        std::printf("%-14s", row.c_str());
        for (const char* allocator : ALLOCATORS) {
            const double value = lookup(name_of(allocator));
            if (value < 0 || base <= 0) {
                std::printf("%24s", "-");
                continue;
            }
            std::printf("%14.1f (%5.2fx)", value, value / base);
            if (std::string(allocator) == "fixed_size_block" && is_pair && value > 1.5 * base) {
                goal_met = false;
            }
        }
        std::printf("\n");
    }
    std::printf("\ngoal: fixed_size_block allocate+free within 1.5x of malloc at every size: %s\n",
                goal_met ? "met" : "NOT met");
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    register_all();
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    print_ratios(reporter.nanoseconds);
    return 0;
}
