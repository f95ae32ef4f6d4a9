// Box<T>: the kernel's owning pointer to one heap object (Rust's Box, C++'s std::unique_ptr,
// which a kernel cannot use: <memory> needs the hosted library).
//
//     ktl::Box<int> x = ktl::make_box<int>(41);
//     *x += 1;                      // the object lives until x goes out of scope
//     ktl::Box<int> y = std::move(x);  // ownership moves; x is empty now
//
// Exactly one Box owns the object; it is deleted when that Box is destroyed. A Box cannot be
// copied (who would delete the object?), only moved. A moved-from Box is empty, and using the
// object through an empty Box panics instead of reading address 0.
//
// The object comes from plain `new`, which in the kernel never returns null: it panics when
// the heap is exhausted (the compilers delete a null check after plain new: book chapter 10).
#pragma once

#include "panic.h"

#include <type_traits>
#include <utility>

namespace ktl {

template <typename T>
class Box {
    static_assert(!std::is_array_v<T>, "Box holds one object; use Vec for arrays");

public:
    constexpr Box() noexcept = default;  // empty
    Box(const Box&) = delete;
    Box& operator=(const Box&) = delete;
    Box(Box&& other) noexcept : object_(std::exchange(other.object_, nullptr)) {}

    // A Box<Derived> becomes a Box<Base>. Deleting through a Base* is only right if Base has a
    // virtual destructor; otherwise Derived's destructor would not run.
    template <typename U>
    requires(!std::is_same_v<U, T> && std::is_convertible_v<U*, T*>) Box(Box<U>&& other)
    noexcept : object_(std::exchange(other.object_, nullptr)) {
        static_assert(std::has_virtual_destructor_v<T>,
                      "Box<Base> from Box<Derived> needs a virtual ~Base()");
    }

    Box& operator=(Box&& other) noexcept {
        if (this != &other) {
            delete object_;
            object_ = std::exchange(other.object_, nullptr);
        }
        return *this;
    }

    ~Box() { delete object_; }

    // Takes ownership of an object made with `new T(...)` (or nullptr for an empty Box).
    [[nodiscard]] static Box from_raw(T* object) {
        Box box;
        box.object_ = object;
        return box;
    }

    // Gives up ownership: the caller must delete the object (or hand it to from_raw again).
    [[nodiscard]] T* release() { return std::exchange(object_, nullptr); }

    [[nodiscard]] T& operator*() const { return *checked(); }
    [[nodiscard]] T* operator->() const { return checked(); }
    [[nodiscard]] T* get() const { return object_; }  // nullptr when empty
    explicit operator bool() const { return object_ != nullptr; }

private:
    template <typename U>
    friend class Box;

    T* checked() const {
        if (object_ == nullptr) panic("used an empty Box (moved from?)");
        return object_;
    }

    T* object_ = nullptr;
};

// Makes a T on the heap from the arguments and returns the Box that owns it.
template <typename T, typename... Args>
[[nodiscard]] Box<T> make_box(Args&&... args) {
    return Box<T>::from_raw(new T(std::forward<Args>(args)...));
}

}  // namespace ktl
