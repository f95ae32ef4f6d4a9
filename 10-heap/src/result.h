// Result<T, E>: a value or the reason there is none. Functions that can fail for reasons the
// caller should handle (a page already mapped, no frame left) return one; panics are kept for
// broken invariants.
#pragma once

#include <type_traits>
#include <utility>

template <typename E>
struct Err {
    E error;
};

template <typename T, typename E>
class [[nodiscard]] Result {
public:
    constexpr Result(T value)
        : ok_(true), value_(std::move(value)) {}  // NOLINT: implicit on purpose
    constexpr Result(Err<E> error) : ok_(false), error_(error.error) {}  // NOLINT

    constexpr bool is_ok() const { return ok_; }
    constexpr bool is_err() const { return !ok_; }
    // Precondition: is_ok().
    constexpr T& value() { return value_; }
    constexpr const T& value() const { return value_; }
    // Precondition: is_err().
    constexpr E error() const { return error_; }

private:
    bool ok_;
    union {
        T value_;
        E error_;
    };
    static_assert(std::is_trivially_destructible_v<T> && std::is_trivially_destructible_v<E>,
                  "Result holds plain values only");
};
