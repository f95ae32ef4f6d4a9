// Rc<T>: a reference-counted pointer (Rust's Rc, a single-threaded std::shared_ptr).
//
//     ktl::Rc<Vec<int>> a = ktl::make_rc<Vec<int>>();
//     ktl::Rc<Vec<int>> b = a;   // both point at the same Vec; a.use_count() == 2
//
// Copies share one object and a count of how many Rc point to it; the last one to go deletes
// the object. Count and object are one heap allocation ({count, value}), so making an Rc costs
// one `new`, like std::make_shared.
//
// Not thread-safe, and not interrupt-safe: the count is a plain integer, incremented and
// decremented without atomics or locks. Two CPUs, or an interrupt handler and the code it
// interrupted, must never copy or drop Rc that point to the same object (Rust's Rc is !Send
// for the same reason; Arc is the atomic one). The object itself is shared, not copied: a
// change through one Rc is seen through all.
#pragma once

#include "panic.h"

#include <cstddef>
#include <utility>

namespace ktl {

template <typename T>
class Rc {
    struct Shared {
        template <typename... Args>
        explicit Shared(Args&&... args) : value(std::forward<Args>(args)...) {}
        std::size_t count = 1;
        T value;
    };

public:
    constexpr Rc() noexcept = default;  // empty: points at nothing, use_count() == 0

    Rc(const Rc& other) noexcept : shared_(other.shared_) {
        if (shared_ != nullptr) ++shared_->count;
    }
    Rc(Rc&& other) noexcept : shared_(std::exchange(other.shared_, nullptr)) {}

    // Copy (or move) first, then swap: assigning an Rc to itself, or to another Rc of the same
    // object, then never drops the count to zero on the way.
    Rc& operator=(const Rc& other) noexcept {
        Rc copy(other);
        std::swap(shared_, copy.shared_);
        return *this;
    }
    Rc& operator=(Rc&& other) noexcept {
        Rc moved(std::move(other));
        std::swap(shared_, moved.shared_);
        return *this;
    }

    ~Rc() {
        if (shared_ != nullptr && --shared_->count == 0) delete shared_;
    }

    // How many Rc share the object (Rust's Rc::strong_count); 0 for an empty Rc.
    [[nodiscard]] std::size_t use_count() const { return shared_ != nullptr ? shared_->count : 0; }

    [[nodiscard]] T& operator*() const { return checked()->value; }
    [[nodiscard]] T* operator->() const { return &checked()->value; }
    [[nodiscard]] T* get() const { return shared_ != nullptr ? &shared_->value : nullptr; }
    explicit operator bool() const { return shared_ != nullptr; }

    template <typename U, typename... Args>
    friend Rc<U> make_rc(Args&&... args);

private:
    Shared* checked() const {
        if (shared_ == nullptr) panic("used an empty Rc (moved from?)");
        return shared_;
    }

    Shared* shared_ = nullptr;
};

// Makes a T on the heap from the arguments, with a count of 1.
template <typename T, typename... Args>
[[nodiscard]] Rc<T> make_rc(Args&&... args) {
    Rc<T> rc;
    rc.shared_ = new typename Rc<T>::Shared(std::forward<Args>(args)...);
    return rc;
}

}  // namespace ktl
