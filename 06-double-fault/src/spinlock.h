// A spinning lock that owns the value it protects: the value is reachable only through a Guard,
// so it cannot be touched without holding the lock (the C++ counterpart of the Rust series'
// spin::Mutex).
#pragma once

#include <atomic>
#include <optional>
#include <utility>

template <typename T>
class Spinlock {
public:
    class [[nodiscard]] Guard {
    public:
        Guard(Guard&& other) noexcept : lock_(std::exchange(other.lock_, nullptr)) {}
        Guard(const Guard&) = delete;
        Guard& operator=(const Guard&) = delete;
        Guard& operator=(Guard&&) = delete;
        ~Guard() {
            if (lock_ != nullptr) lock_->locked_.store(false, std::memory_order_release);
        }

        T& operator*() const { return lock_->value_; }
        T* operator->() const { return &lock_->value_; }

    private:
        friend class Spinlock;
        explicit Guard(Spinlock* lock) : lock_(lock) {}
        Spinlock* lock_;
    };

    constexpr explicit Spinlock(T value) : value_(std::move(value)) {}
    Spinlock(const Spinlock&) = delete;
    Spinlock& operator=(const Spinlock&) = delete;

    Guard lock() {
        while (locked_.exchange(true, std::memory_order_acquire)) {
            while (locked_.load(std::memory_order_relaxed)) __builtin_ia32_pause();
        }
        return Guard{this};
    }

    std::optional<Guard> try_lock() {
        if (locked_.exchange(true, std::memory_order_acquire)) return std::nullopt;
        return Guard{this};
    }

private:
    std::atomic<bool> locked_{false};
    T value_;
};
