// The in-kernel test framework (the C++ counterpart of the Rust series' custom test frameworks).
//
// A test is registered where it is defined:
//
//     KERNEL_TEST(test_println_simple) { println("test_println_simple output"); }
//
// The macro defines the function and puts a pointer to a TestCase describing it into the
// .kernel_tests section; the linker script collects all of them between __kernel_tests_start and
// __kernel_tests_end, so run_tests() finds every test linked into the kernel without a list
// anyone has to maintain. A test passes by returning and fails by panicking; the ASSERT macros
// panic with both values when a comparison does not hold.
#pragma once

#include "format.h"
#include "panic.h"

#include <type_traits>
#include <utility>
#if !defined(__clang__)
#include <source_location>
#endif

struct TestCase {
    const char* name;
    const char* file;
    void (*function)();
};

// The section holds pointers, not the TestCases themselves: the compilers may align a 24-byte
// object to 32 bytes and leave gaps between objects from different files, but they never pad
// an array of 8-byte pointers.
#define KERNEL_TEST(name)                                                                    \
    static void name();                                                                      \
    static const TestCase name##_test_case{#name, __FILE__, name};                           \
    [[gnu::used, gnu::section(".kernel_tests")]] static const TestCase* const name##_entry = \
        &name##_test_case;                                                                   \
    static void name()

// Runs every registered test (or only the one QEMU's fw_cfg names, see test_framework.cpp),
// printing "Running N tests" and "<name>...\t[ok]" per test to serial, then exits QEMU with
// success. A failing test never returns here: its panic goes to test_panic_handler.
[[noreturn]] void run_tests();

// What a test kernel's panic_handler calls: prints "[failed]" and the panic, exits QEMU with
// the failure code.
[[noreturn]] void test_panic_handler(const PanicInfo& info);

// Collects formatted text (a panic message, an exception report) so that a test can search it.
// Text beyond the buffer's capacity is cut off.
class TextBuffer final : public fmt::Sink {
public:
    void write(const char* text, std::size_t length) override;
    const char* text() const { return buffer_; }
    bool contains(const char* needle) const;

private:
    char buffer_[1024] = {};
    std::size_t used_ = 0;
};

namespace test_detail {

// Where the ASSERT macro was written.
#if defined(__clang__)
#define KERNEL_TEST_HERE() \
    (::fmt::SourceLocation{__builtin_FILE(), __builtin_LINE(), __builtin_COLUMN()})
#else
#define KERNEL_TEST_HERE()                                              \
    (::fmt::SourceLocation{std::source_location::current().file_name(), \
                           std::source_location::current().line(),      \
                           std::source_location::current().column()})
#endif

// Integers other than bool and the character types: the ones std::cmp_equal accepts.
template <typename T>
concept Number = std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char> &&
                 !std::is_same_v<T, char8_t> && !std::is_same_v<T, char16_t> &&
                 !std::is_same_v<T, char32_t> && !std::is_same_v<T, wchar_t>;

template <typename A, typename B>
constexpr bool equal(const A& a, const B& b) {
    if constexpr (Number<A> && Number<B>)
        return std::cmp_equal(a, b);  // no surprises from mixed signedness
    else return a == b;
}

[[noreturn]] void fail_comparison(const fmt::SourceLocation& where, const char* expression,
                                  const fmt::Arg& expected, const fmt::Arg& actual);

template <typename A, typename E>
void assert_eq(const A& actual, const E& expected, const char* expression,
               const fmt::SourceLocation& where) {
    if (!equal(actual, expected))
        fail_comparison(where, expression, fmt::make_arg(expected), fmt::make_arg(actual));
}

}  // namespace test_detail

// ASSERT_EQ(actual, expected): on a mismatch the test fails with
//   assertion `actual == expected` failed: expected <expected>, got <actual>
#define ASSERT_EQ(actual, expected) \
    ::test_detail::assert_eq((actual), (expected), #actual " == " #expected, KERNEL_TEST_HERE())
#define ASSERT_TRUE(condition) ASSERT_EQ(static_cast<bool>(condition), true)
