// A spinning lock that owns the value it protects: the value is reachable only through a Guard,
// so it cannot be touched without holding the lock (the C++ counterpart of the Rust series'
// spin::Mutex).
//
// The lock also turns interrupts off while it is held and restores the interrupt flag when it
// is released. Otherwise an interrupt handler that takes the same lock (the timer printing a dot
// while the kernel prints a line) would spin forever on a lock that the code it interrupted
// cannot release: a deadlock on a single CPU.
#pragma once

#include "cpu.h"

#include <atomic>
#include <optional>
#include <utility>

template <typename T>
class Spinlock {
public:
    class [[nodiscard]] Guard {
    public:
        Guard(Guard&& other) noexcept
            : lock_(std::exchange(other.lock_, nullptr)),
              restore_interrupts_(other.restore_interrupts_) {}
        Guard(const Guard&) = delete;
        Guard& operator=(const Guard&) = delete;
        Guard& operator=(Guard&&) = delete;
        ~Guard() {
            if (lock_ == nullptr) return;
            lock_->locked_.store(false, std::memory_order_release);
            if (restore_interrupts_) cpu::enable_interrupts();
        }

        T& operator*() const { return lock_->value_; }
        T* operator->() const { return &lock_->value_; }

    private:
        friend class Spinlock;
        Guard(Spinlock* lock, bool restore_interrupts)
            : lock_(lock), restore_interrupts_(restore_interrupts) {}
        Spinlock* lock_;
        bool restore_interrupts_;
    };

    constexpr explicit Spinlock(T value) : value_(std::move(value)) {}
    // Builds the value in place from args, for a T that cannot be moved into a constinit lock
    // (such as an empty std::optional of a type that is built only at run time).
    template <typename... Args>
    constexpr explicit Spinlock(std::in_place_t, Args&&... args)
        : value_(std::forward<Args>(args)...) {}
    Spinlock(const Spinlock&) = delete;
    Spinlock& operator=(const Spinlock&) = delete;

    Guard lock() {
        const bool were_enabled = cpu::interrupts_enabled();
        cpu::disable_interrupts();
        while (locked_.exchange(true, std::memory_order_acquire)) {
            while (locked_.load(std::memory_order_relaxed)) __builtin_ia32_pause();
        }
        return Guard{this, were_enabled};
    }

    std::optional<Guard> try_lock() {
        const bool were_enabled = cpu::interrupts_enabled();
        cpu::disable_interrupts();
        if (locked_.exchange(true, std::memory_order_acquire)) {
            if (were_enabled) cpu::enable_interrupts();
            return std::nullopt;
        }
        return Guard{this, were_enabled};
    }

private:
    std::atomic<bool> locked_{false};
    T value_;
};
