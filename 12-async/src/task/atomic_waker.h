// AtomicWaker: a slot for one Waker that a task fills and an interrupt handler empties (the
// counterpart of futures-util's AtomicWaker, which the Rust series uses for the keyboard).
//
// The task side stores its waker before it goes to sleep (register_waker); the interrupt side
// takes it out and wakes it (wake). A Waker is two words, and an atomic of 16 bytes is not
// available (g++ and clang compile its load to a call into libatomic, __atomic_load_16 or
// __atomic_load, which the kernel does not link), so the slot itself is a plain member, guarded
// by a small state machine in one atomic byte:
//
//   WAITING       nobody is touching the slot
//   REGISTERING   register_waker is writing the slot
//   WAKING        wake/take is emptying the slot
//
// The interesting case is an interrupt during register_waker (state REGISTERING): the handler's
// wake() must not read a half-written slot, and must not lose its wake-up either. It sets WAKING
// and leaves; register_waker, when it tries to go back to WAITING, sees the WAKING bit and wakes
// the waker it just stored itself. Neither side ever waits for the other, which is what makes
// this safe between an interrupt handler and the code it interrupted on one CPU.
//
// Contract: one task registers at a time (the slot holds one waker; a concurrent second
// registration is ignored). wake() and take() may be called from anywhere.
#pragma once

#include "task/waker.h"

#include <atomic>
#include <cstdint>
#include <optional>

namespace task {

class AtomicWaker {
public:
    constexpr AtomicWaker() noexcept = default;
    AtomicWaker(const AtomicWaker&) = delete;
    AtomicWaker& operator=(const AtomicWaker&) = delete;

    // Remembers `waker` for the next wake(), replacing an earlier one. If a wake() runs at the
    // same time, `waker` is woken right away, so the wake-up is never lost.
    void register_waker(const Waker& waker) noexcept;

    // Wakes the registered waker, if any, and empties the slot. Interrupt-safe.
    void wake() noexcept;

    // Empties the slot and returns what was in it. Interrupt-safe.
    [[nodiscard]] std::optional<Waker> take() noexcept;

private:
    static constexpr std::uint8_t WAITING = 0;
    static constexpr std::uint8_t REGISTERING = 1;
    static constexpr std::uint8_t WAKING = 2;

    std::atomic<std::uint8_t> state_{WAITING};
    std::optional<Waker> waker_;  // written only by whoever moved state_ away from WAITING
};

}  // namespace task
