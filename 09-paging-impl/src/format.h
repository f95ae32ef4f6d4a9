// Type-safe, allocation-free formatting: fmt::format_to(sink, "x = {} ({:#x})", x, x).
//
// The format string is checked at compile time against the argument types: a placeholder
// without an argument, an argument without a placeholder, an unknown option or an option that
// does not fit the argument's type (`{:x}` for a string) does not compile. At run time the
// arguments travel as an array of small tagged values (fmt::Arg), so one non-template function
// (vformat) does the formatting for every call site and nothing is allocated.
//
// Placeholder syntax: {} or {:[[fill]align][#][0][width][type]}
//   align  < left, > right (default: right for numbers, left for text)
//   #      prefix 0x, 0b or 0o for the bases 16, 2 and 8
//   0      pad numbers with zeros after the sign and prefix
//   type   d decimal, x/X hexadecimal, b binary, o octal (integers); c (characters);
//          s (strings, booleans); p (pointers; also the default for them)
//   {{ and }} stand for { and }.
// A type of one's own becomes formattable by declaring, next to it (found by ADL),
//   void format_value(fmt::Sink&, const T&, const fmt::Spec&);
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#if !defined(__clang__)
#include <source_location>
#endif

namespace fmt {

// Where formatted text goes: the VGA writer, the serial port, a buffer in a test.
class Sink {
public:
    virtual void write(const char* text, std::size_t length) = 0;
    void put(char c) { write(&c, 1); }
    void puts(const char* text);

protected:
    ~Sink() = default;
};

// The options of one placeholder.
struct Spec {
    char fill = ' ';
    char align = 0;  // '<', '>', or 0 for the type's default
    bool alternate = false;
    bool zero_pad = false;
    unsigned width = 0;
    char type = 0;
};

// Where a format string was written, captured at the call site (for panic messages).
struct SourceLocation {
    const char* file;
    unsigned line;
    unsigned column;
};

enum class Kind : std::uint8_t { Bool, Char, Signed, Unsigned, String, Pointer, Custom };

// One argument, type-erased. Custom values carry a pointer to the object and to a function
// that knows its type.
struct Arg {
    using CustomFormat = void (*)(Sink&, const void*, const Spec&);
    struct Custom {
        const void* object;
        CustomFormat format;
    };
    Kind kind;
    union {
        bool boolean;
        char character;
        std::int64_t signed_value;
        std::uint64_t unsigned_value;
        const char* string;
        const void* pointer;
        Custom custom;
    };
};

template <typename T>
concept CustomFormattable = requires(Sink& sink, const T& value, const Spec& spec) {
    format_value(sink, value, spec);
};

template <typename T>
consteval Kind kind_of() {
    using U = std::remove_cvref_t<T>;
    if constexpr (std::is_same_v<U, bool>) return Kind::Bool;
    else if constexpr (std::is_same_v<U, char>) return Kind::Char;
    else if constexpr (CustomFormattable<U>)
        return Kind::Custom;  // before enum: an enum may have its own
    else if constexpr (std::is_enum_v<U>) return kind_of<std::underlying_type_t<U>>();
    else if constexpr (std::signed_integral<U>) return Kind::Signed;
    else if constexpr (std::unsigned_integral<U>) return Kind::Unsigned;
    else if constexpr (std::is_same_v<std::decay_t<U>, const char*> ||
                       std::is_same_v<std::decay_t<U>, char*>)
        return Kind::String;
    else if constexpr (std::is_pointer_v<std::decay_t<U>> || std::is_null_pointer_v<U>)
        return Kind::Pointer;
    else
        static_assert(sizeof(U) == 0, "this type cannot be formatted: declare format_value for it");
}

template <typename T>
Arg make_arg(const T& value) {
    using U = std::remove_cvref_t<T>;
    constexpr Kind kind = kind_of<T>();
    Arg arg{};
    arg.kind = kind;
    if constexpr (kind == Kind::Bool) arg.boolean = value;
    else if constexpr (kind == Kind::Char) arg.character = value;
    else if constexpr (kind == Kind::Signed) arg.signed_value = static_cast<std::int64_t>(value);
    else if constexpr (kind == Kind::Unsigned)
        arg.unsigned_value = static_cast<std::uint64_t>(value);
    else if constexpr (kind == Kind::String) arg.string = value;
    else if constexpr (kind == Kind::Pointer) arg.pointer = static_cast<const void*>(value);
    else {
        arg.custom.object = &value;
        arg.custom.format = [](Sink& sink, const void* object, const Spec& spec) {
            format_value(sink, *static_cast<const U*>(object), spec);
        };
    }
    return arg;
}

namespace detail {

// Reaching one of these during constant evaluation makes the call not a constant expression:
// the compiler reports the format string error under the function's name.
void format_error_unmatched_brace();
void format_error_too_few_arguments();
void format_error_too_many_arguments();
void format_error_bad_option();
void format_error_option_does_not_fit_argument_type();

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses the options after ':' up to the closing '}'; returns the position of the '}', or
// nullptr if the options are malformed. Shared by the compile-time check and vformat.
constexpr const char* parse_spec(const char* p, Spec& spec) {
    auto is_align = [](char c) { return c == '<' || c == '>'; };
    if (*p != '\0' && *p != '}' && is_align(p[1])) {
        spec.fill = *p;
        spec.align = p[1];
        p += 2;
    } else if (is_align(*p)) {
        spec.align = *p++;
    }
    if (*p == '#') {
        spec.alternate = true;
        ++p;
    }
    if (*p == '0') {
        spec.zero_pad = true;
        ++p;
    }
    while (is_digit(*p)) {
        spec.width = spec.width * 10 + static_cast<unsigned>(*p - '0');
        if (spec.width > 255) return nullptr;
        ++p;
    }
    if (*p != '}' && *p != '\0') spec.type = *p++;
    return *p == '}' ? p : nullptr;
}

constexpr bool spec_fits(const Spec& spec, Kind kind) {
    const char t = spec.type;
    const bool numeric_option = spec.alternate || spec.zero_pad;
    switch (kind) {
        case Kind::Signed:
        case Kind::Unsigned:
            return t == 0 || t == 'd' || t == 'x' || t == 'X' || t == 'b' || t == 'o';
        case Kind::Char: return (t == 0 || t == 'c') && !numeric_option;
        case Kind::Bool:
        case Kind::String: return (t == 0 || t == 's') && !numeric_option;
        case Kind::Pointer: return t == 0 || t == 'p' || t == 'x';
        case Kind::Custom: return true;  // the type's format_value decides
    }
    return false;
}

template <std::size_t N>
consteval void check_format(const char* text, const std::array<Kind, N>& kinds) {
    std::size_t next = 0;
    for (const char* p = text; *p != '\0'; ++p) {
        if (*p == '}') {
            if (p[1] != '}') format_error_unmatched_brace();
            ++p;
            continue;
        }
        if (*p != '{') continue;
        if (p[1] == '{') {
            ++p;
            continue;
        }
        ++p;
        Spec spec{};
        if (*p == ':') {
            p = parse_spec(p + 1, spec);
            if (p == nullptr) format_error_bad_option();
        } else if (*p != '}') {
            format_error_unmatched_brace();
        }
        if (next >= N) format_error_too_few_arguments();
        if (!spec_fits(spec, kinds[next])) format_error_option_does_not_fit_argument_type();
        ++next;
    }
    if (next != N) format_error_too_many_arguments();
}

}  // namespace detail

// A format string checked against Args at compile time; it also records where it was written.
template <typename... Args>
struct BasicFormatString {
    const char* text;
    SourceLocation location;

    // The default arguments are evaluated where the string is converted, i.e. at the caller.
    // g++ 12 has no __builtin_COLUMN; clang 14 cannot compile libstdc++'s source_location.
#if defined(__clang__)
    consteval BasicFormatString(const char* s, const char* file = __builtin_FILE(),
                                unsigned line = __builtin_LINE(),
                                unsigned column = __builtin_COLUMN())
        : text(s), location{file, line, column} {
        detail::check_format(s, std::array<Kind, sizeof...(Args)>{kind_of<Args>()...});
    }
#else
    consteval BasicFormatString(const char* s,
                                std::source_location where = std::source_location::current())
        : text(s), location{where.file_name(), where.line(), where.column()} {
        detail::check_format(s, std::array<Kind, sizeof...(Args)>{kind_of<Args>()...});
    }
#endif
};

// type_identity keeps the format string out of template argument deduction: Args come from
// the arguments alone, then the string is converted (and checked) against them.
template <typename... Args>
using FormatString = BasicFormatString<std::type_identity_t<Args>...>;

// Formats with already type-erased arguments. `text` must have passed check_format.
void vformat(Sink& sink, const char* text, const Arg* args, std::size_t count);

template <typename... Args>
void format_to(Sink& sink, FormatString<Args...> format, const Args&... args) {
    const std::array<Arg, sizeof...(Args)> erased{make_arg(args)...};
    vformat(sink, format.text, erased.data(), erased.size());
}

// What a print function (print, serial_print, ...) does with its arguments: it erases their types
// and hands them, with the format string, to a non-template function that takes a lock and
// formats (vga::print_args, serial::print_args). Each print function is then one line over it:
//     fmt::print_with(vga::print_args, false, format, args...);
// The format string has been checked by then, where the caller's literal became the print
// function's FormatString parameter: an error points at the caller's line.
using PrintArgs = void (*)(const char* format, const Arg* args, std::size_t count, bool newline);

template <typename... Args>
void print_with(PrintArgs print_args, bool newline, FormatString<Args...> format,
                const Args&... args) {
    const std::array<Arg, sizeof...(Args)> erased{make_arg(args)...};
    print_args(format.text, erased.data(), erased.size(), newline);
}

// Helpers for format_value implementations.
void write_padded(Sink& sink, const char* text, std::size_t length, const Spec& spec,
                  char default_align);
void write_unsigned(Sink& sink, std::uint64_t value, bool negative, const Spec& spec);

}  // namespace fmt
