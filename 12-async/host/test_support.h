// Helpers shared by the host tests: a leaf future the test controls, coroutine frame allocators
// that count or fail, and a fake CPU for the executor's idle hooks.
#pragma once

#include "task/coroutine_frames.h"
#include "task/future.h"
#include "task/idle_hooks.h"
#include "task/waker.h"

#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace test_support {

// A leaf future that is Pending until the test calls fire(). Counts how often it was polled and
// keeps the last waker it was given, as a real leaf (the keyboard stream) does.
class Signal {
public:
    class Wait {
    public:
        explicit Wait(Signal& signal) : signal_(&signal) {}
        std::optional<task::Unit> poll(task::Context& context) {
            ++signal_->polls;
            if (signal_->fired) return task::Unit{};
            signal_->waker = context.waker();
            return std::nullopt;
        }

    private:
        Signal* signal_;
    };

    Wait wait() { return Wait{*this}; }

    // Makes the leaf ready and wakes the task that waits on it (if any registered).
    void fire() {
        fired = true;
        if (waker) waker->wake();
    }

    int polls = 0;
    bool fired = false;
    std::optional<task::Waker> waker;
};

// Installs a coroutine frame allocator for the lifetime of the object; frees through the heap
// always, so frames made before or after stay freeable.
class CoroutineFrameAllocatorScope {
public:
    // Fails every allocation once `successes` allocations have succeeded.
    explicit CoroutineFrameAllocatorScope(std::size_t successes = SIZE_MAX) {
        state().allowed = successes;
        state().allocated = 0;
        state().freed = 0;
        state().failed = 0;
        previous_ = task::set_coroutine_frame_allocator({allocate, deallocate});
    }
    ~CoroutineFrameAllocatorScope() { task::set_coroutine_frame_allocator(previous_); }
    CoroutineFrameAllocatorScope(const CoroutineFrameAllocatorScope&) = delete;
    CoroutineFrameAllocatorScope& operator=(const CoroutineFrameAllocatorScope&) = delete;

    std::size_t allocated() const { return state().allocated; }
    std::size_t freed() const { return state().freed; }
    std::size_t failed() const { return state().failed; }
    std::size_t live() const { return state().allocated - state().freed; }

private:
    struct State {
        std::size_t allowed = 0;
        std::size_t allocated = 0;
        std::size_t freed = 0;
        std::size_t failed = 0;
    };
    static State& state() {
        static State s;
        return s;
    }
    static void* allocate(std::size_t size) noexcept {
        if (state().allocated >= state().allowed) {
            ++state().failed;
            return nullptr;
        }
        ++state().allocated;
        return task::heap_coroutine_frame_allocator().allocate(size);
    }
    static void deallocate(void* frame, std::size_t size) noexcept {
        ++state().freed;
        task::heap_coroutine_frame_allocator().deallocate(frame, size);
    }

    task::CoroutineFrameAllocator previous_;
};

// A CPU for sleep_if_idle: an interrupt flag, a trace of the operations, and interrupts the test
// schedules. An interrupt is "raised" by the test; it is delivered (its handler runs) only while
// the flag is set -- at once if it is, else at the next sti -- and a hlt with nothing delivered
// would sleep forever, which the fake reports as a "halt".
class FakeCpu {
public:
    using Handler = void (*)();

    static FakeCpu& instance() {
        static FakeCpu cpu;
        return cpu;
    }
    static task::IdleHooks hooks() {
        return {[] { return instance().interrupts_on; },
                [] {
                    // An interrupt scheduled to come "just before the cli" gets in first.
                    FakeCpu& cpu = instance();
                    if (cpu.before_cli != nullptr) std::exchange(cpu.before_cli, nullptr)();
                    cpu.trace.push_back("cli");
                    cpu.interrupts_on = false;
                },
                [] {
                    FakeCpu& cpu = instance();
                    cpu.trace.push_back("sti");
                    cpu.interrupts_on = true;
                    cpu.deliver_pending();
                },
                [] {
                    FakeCpu& cpu = instance();
                    cpu.trace.push_back("sti;hlt");
                    cpu.interrupts_on = true;
                    ++cpu.halts;
                    // hlt returns after the next interrupt: a pending one, or the one scripted
                    // for this halt.
                    if (!cpu.deliver_pending() && cpu.on_halt != nullptr) cpu.on_halt();
                }};
    }

    void reset() {
        interrupts_on = true;
        trace.clear();
        halts = 0;
        before_cli = nullptr;
        on_halt = nullptr;
        pending = nullptr;
    }

    // Raises an interrupt now: handled at once with interrupts on, else held until sti.
    void raise(Handler handler) {
        if (interrupts_on) handler();
        else pending = handler;
    }

    bool interrupts_on = true;
    std::vector<std::string> trace;
    int halts = 0;
    Handler before_cli = nullptr;  // runs (once) right before the next cli
    Handler on_halt = nullptr;     // what wakes each hlt when nothing is pending
    Handler pending = nullptr;

private:
    bool deliver_pending() {
        if (pending == nullptr) return false;
        std::exchange(pending, nullptr)();
        return true;
    }
};

}  // namespace test_support
