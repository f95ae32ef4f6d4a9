// Host tests of the formatter (src/format.h): every placeholder option against known output.

#include "format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace {

class StringSink final : public fmt::Sink {
public:
    void write(const char* text, std::size_t length) override { out.append(text, length); }
    std::string out;
};

template <typename... Args>
std::string format(fmt::FormatString<Args...> f, const Args&... args) {
    StringSink sink;
    fmt::format_to(sink, f, args...);
    return sink.out;
}

struct Point {
    int x;
    int y;
};
void format_value(fmt::Sink& sink, const Point& p, const fmt::Spec&) {
    fmt::format_to(sink, "({}, {})", p.x, p.y);
}

TEST(Format, PlainTextAndEscapes) {
    EXPECT_EQ(format("hello"), "hello");
    EXPECT_EQ(format("{{}} and {{{}}}", 7), "{} and {7}");
    EXPECT_EQ(format(""), "");
}

TEST(Format, Decimal) {
    EXPECT_EQ(format("{}", 0), "0");
    EXPECT_EQ(format("{}", -1), "-1");
    EXPECT_EQ(format("{}", std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
    EXPECT_EQ(format("{}", std::numeric_limits<std::int64_t>::max()), "9223372036854775807");
    EXPECT_EQ(format("{}", std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
    EXPECT_EQ(format("{}", std::uint8_t{200}), "200");  // bytes are numbers, not characters
    EXPECT_EQ(format("{:d}", short{-300}), "-300");
}

TEST(Format, OtherBases) {
    EXPECT_EQ(format("{:x}", 0xdeadbeefu), "deadbeef");
    EXPECT_EQ(format("{:X}", 0xdeadbeefu), "DEADBEEF");
    EXPECT_EQ(format("{:#x}", 255), "0xff");
    EXPECT_EQ(format("{:b}", 5), "101");
    EXPECT_EQ(format("{:#b}", 5), "0b101");
    EXPECT_EQ(format("{:o}", 8), "10");
    EXPECT_EQ(format("{:#o}", 8), "0o10");
    EXPECT_EQ(format("{:x}", -255), "-ff");
    EXPECT_EQ(format("{:b}", std::numeric_limits<std::uint64_t>::max()), std::string(64, '1'));
}

TEST(Format, WidthFillAlignment) {
    EXPECT_EQ(format("[{:5}]", 42), "[   42]");
    EXPECT_EQ(format("[{:<5}]", 42), "[42   ]");
    EXPECT_EQ(format("[{:05}]", 42), "[00042]");
    EXPECT_EQ(format("[{:05}]", -42), "[-0042]");
    EXPECT_EQ(format("[{:#010x}]", 255), "[0x000000ff]");
    EXPECT_EQ(format("[{:*>6}]", 42), "[****42]");
    EXPECT_EQ(format("[{:2}]", 12345), "[12345]");  // width is a minimum
    EXPECT_EQ(format("[{:5}]", "ab"), "[ab   ]");
    EXPECT_EQ(format("[{:>5}]", "ab"), "[   ab]");
    EXPECT_EQ(format("[{:-<4}]", 'c'), "[c---]");
}

TEST(Format, TextValues) {
    EXPECT_EQ(format("{} {}", true, false), "true false");
    EXPECT_EQ(format("{}", 'x'), "x");
    EXPECT_EQ(format("{}", "string"), "string");
    const char* null_string = nullptr;
    EXPECT_EQ(format("{}", null_string), "(null)");
}

TEST(Format, Pointers) {
    EXPECT_EQ(format("{}", reinterpret_cast<const void*>(0xb8000)), "0xb8000");
    EXPECT_EQ(format("{}", nullptr), "0x0");
    int value = 0;
    char expected[32];
    std::snprintf(expected, sizeof expected, "%#llx",
                  static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(&value)));
    EXPECT_EQ(format("{}", &value), expected);
}

enum class Small : std::uint8_t { Seven = 7 };

enum class Named : int { One = 1 };
void format_value(fmt::Sink& sink, Named, const fmt::Spec&) { sink.puts("One"); }

TEST(Format, EnumsAndCustomTypes) {
    EXPECT_EQ(format("{}", Small::Seven), "7");
    EXPECT_EQ(format("at {}", Point{3, -4}), "at (3, -4)");
    EXPECT_EQ(format("{}", Named::One), "One");  // an enum's own format_value wins over its number
}

TEST(Format, ManyArguments) {
    EXPECT_EQ(format("{}{}{}{}{}{}{}{}", 1, 2, 3, 4, 5, 6, 7, 8), "12345678");
}

TEST(Format, RecordsTheCallersLocation) {
    const fmt::FormatString<int> f("{}");
    EXPECT_NE(std::string(f.location.file).find("format_test.cpp"), std::string::npos);
    EXPECT_EQ(f.location.line, static_cast<unsigned>(__LINE__) - 2);
}

}  // namespace
