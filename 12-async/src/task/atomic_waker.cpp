#include "task/atomic_waker.h"

#include <utility>

namespace task {

void AtomicWaker::register_waker(const Waker& waker) noexcept {
    std::uint8_t state = WAITING;
    if (state_.compare_exchange_strong(state, REGISTERING, std::memory_order_acquire)) {
        waker_ = waker;
        // Back to WAITING -- unless a wake() set WAKING meanwhile. It found the slot busy and
        // left the wake-up to us.
        state = REGISTERING;
        if (state_.compare_exchange_strong(state, WAITING, std::memory_order_acq_rel)) return;
        const std::optional<Waker> woken = std::exchange(waker_, std::nullopt);
        state_.store(WAITING, std::memory_order_release);
        if (woken) woken->wake();
        return;
    }
    if (state == WAKING) {
        // A wake() is emptying the slot right now (on another CPU) and may miss what we would
        // store: wake directly instead.
        waker.wake();
    }
    // Otherwise another registration is in progress: a broken contract; this one is dropped.
}

std::optional<Waker> AtomicWaker::take() noexcept {
    if (state_.fetch_or(WAKING, std::memory_order_acq_rel) != WAITING) {
        // REGISTERING: register_waker will see the WAKING bit and wake its waker itself.
        // WAKING: another wake() is already taking the waker.
        return std::nullopt;
    }
    const std::optional<Waker> waker = std::exchange(waker_, std::nullopt);
    state_.fetch_and(static_cast<std::uint8_t>(~WAKING), std::memory_order_release);
    return waker;
}

void AtomicWaker::wake() noexcept {
    if (const std::optional<Waker> waker = take()) waker->wake();
}

}  // namespace task
