// Vec<T>: the kernel's growable array (Rust's Vec, a pared-down std::vector -- which a kernel
// cannot use: <vector> needs the hosted library and throws).
//
//     ktl::Vec<int> v;
//     for (int i = 0; i < 1000; ++i) v.push_back(i);
//     for (int x : v) sum += x;
//
// The elements sit in one heap buffer of capacity() slots, of which the first size() hold
// elements. When a push finds the buffer full, a buffer twice as big is allocated, the elements
// are moved over and the old buffer is freed; pushing n elements therefore moves each element
// about once on average. Moving the elements invalidates pointers and references into the old
// buffer, as with std::vector.
//
// Buffers come from ::operator new(bytes, std::align_val_t) and go back through the sized,
// aligned ::operator delete, so the allocator learns the size and alignment on both calls (its
// deallocate needs them). Elements are constructed with placement new and destroyed by calling
// their destructors explicitly: a buffer's slots beyond size() hold no objects.
//
// A Vec is move-only; clone() makes an explicit copy (a copy is an allocation, so it should be
// visible in the code). Out-of-bounds indexing panics.
#pragma once

#include "panic.h"

#include <cstddef>
#include <initializer_list>
#include <new>
#include <type_traits>
#include <utility>

// <new> declares the sized operator delete only with sized deallocation, which clang 14 leaves
// off unless given -fsized-deallocation.
#if !defined(__cpp_sized_deallocation)
#error "ktl/vec.h needs sized deallocation: compile with -fsized-deallocation"
#endif

namespace ktl {

template <typename T>
class Vec {
    static_assert(std::is_move_constructible_v<T>, "Vec moves its elements when it grows");

public:
    constexpr Vec() noexcept = default;  // no buffer until the first push

    Vec(std::initializer_list<T> items) requires std::is_copy_constructible_v<T> {
        reserve(items.size());
        for (const T& item : items) emplace_back(item);
    }

    Vec(const Vec&) = delete;
    Vec& operator=(const Vec&) = delete;
    Vec(Vec&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)),
          size_(std::exchange(other.size_, 0)),
          capacity_(std::exchange(other.capacity_, 0)) {}
    Vec& operator=(Vec&& other) noexcept {
        if (this != &other) {
            clear();
            free_buffer(data_, capacity_);
            data_ = std::exchange(other.data_, nullptr);
            size_ = std::exchange(other.size_, 0);
            capacity_ = std::exchange(other.capacity_, 0);
        }
        return *this;
    }

    ~Vec() {
        clear();
        free_buffer(data_, capacity_);
    }

    // A copy of every element in a new buffer.
    [[nodiscard]] Vec clone() const requires std::is_copy_constructible_v<T> {
        Vec copy;
        copy.reserve(size_);
        for (const T& item : *this) copy.emplace_back(item);
        return copy;
    }

    void push_back(const T& value) { emplace_back(value); }
    void push_back(T&& value) { emplace_back(std::move(value)); }

    // Constructs a new last element from args; returns it.
    template <typename... Args>
    T& emplace_back(Args&&... args) {
        if (size_ < capacity_) {
            T* slot = ::new (static_cast<void*>(data_ + size_)) T(std::forward<Args>(args)...);
            ++size_;
            return *slot;
        }
        // Full. The new element is constructed in the new buffer before the old elements move:
        // args may refer to one of them (v.push_back(v[0])), which must still be alive.
        const std::size_t new_capacity = grown_capacity();
        T* new_data = allocate_buffer(new_capacity);
        T* slot = ::new (static_cast<void*>(new_data + size_)) T(std::forward<Args>(args)...);
        move_elements(data_, size_, new_data);
        free_buffer(data_, capacity_);
        data_ = new_data;
        capacity_ = new_capacity;
        ++size_;
        return *slot;
    }

    // Removes the last element and returns it. Precondition: not empty (panics otherwise).
    T pop_back() {
        if (size_ == 0) panic("pop_back on an empty Vec");
        --size_;
        T last = std::move(data_[size_]);
        data_[size_].~T();
        return last;
    }

    // Removes element `index` in O(1) by moving the last element into its place (Rust's
    // Vec::swap_remove); the order of the elements changes. Returns the removed element.
    // Precondition: index < size() (panics otherwise).
    T swap_remove(std::size_t index) {
        check_index(index);
        T removed = std::move(data_[index]);
        --size_;
        if (index != size_) {
            data_[index].~T();
            ::new (static_cast<void*>(data_ + index)) T(std::move(data_[size_]));
        }
        data_[size_].~T();
        return removed;
    }

    // Destroys all elements; the buffer stays for reuse.
    void clear() {
        for (std::size_t i = 0; i < size_; ++i) data_[i].~T();
        size_ = 0;
    }

    // Makes room for at least `capacity` elements without another allocation.
    void reserve(std::size_t capacity) {
        if (capacity <= capacity_) return;
        T* new_data = allocate_buffer(capacity);
        move_elements(data_, size_, new_data);
        free_buffer(data_, capacity_);
        data_ = new_data;
        capacity_ = capacity;
    }

    [[nodiscard]] T& operator[](std::size_t index) {
        check_index(index);
        return data_[index];
    }
    [[nodiscard]] const T& operator[](std::size_t index) const {
        check_index(index);
        return data_[index];
    }

    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] std::size_t capacity() const { return capacity_; }
    [[nodiscard]] bool empty() const { return size_ == 0; }
    [[nodiscard]] T* data() { return data_; }
    [[nodiscard]] const T* data() const { return data_; }
    [[nodiscard]] T* begin() { return data_; }
    [[nodiscard]] T* end() { return data_ + size_; }
    [[nodiscard]] const T* begin() const { return data_; }
    [[nodiscard]] const T* end() const { return data_ + size_; }

private:
    static constexpr std::size_t MIN_CAPACITY = 4;

    void check_index(std::size_t index) const {
        if (index >= size_) panic("Vec index {} out of bounds (size {})", index, size_);
    }

    [[nodiscard]] std::size_t grown_capacity() const {
        if (capacity_ == 0) return MIN_CAPACITY;
        std::size_t doubled = 0;
        if (__builtin_mul_overflow(capacity_, std::size_t{2}, &doubled)) {
            panic("Vec capacity overflow: cannot grow beyond {} elements", capacity_);
        }
        return doubled;
    }

    // Plain ::operator new never returns null in the kernel (it panics), so there is no check.
    [[nodiscard]] static T* allocate_buffer(std::size_t capacity) {
        std::size_t bytes = 0;
        if (__builtin_mul_overflow(capacity, sizeof(T), &bytes)) {
            panic("Vec capacity overflow: {} elements of {} bytes", capacity, sizeof(T));
        }
        return static_cast<T*>(::operator new (bytes, std::align_val_t{alignof(T)}));
    }

    // The size and alignment passed here are exactly those of the allocation.
    static void free_buffer(T* data, std::size_t capacity) {
        if (data == nullptr) return;
        ::operator delete (static_cast<void*>(data), capacity * sizeof(T),
                           std::align_val_t{alignof(T)});
    }

    // Moves count elements from `from` into the empty slots at `to`; `from` is left without
    // objects.
    static void move_elements(T* from, std::size_t count, T* to) {
        for (std::size_t i = 0; i < count; ++i) {
            ::new (static_cast<void*>(to + i)) T(std::move(from[i]));
            from[i].~T();
        }
    }

    T* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace ktl
