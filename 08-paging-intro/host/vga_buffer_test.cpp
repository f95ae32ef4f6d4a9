// Host tests of the VGA writer's cursor and scrolling logic against an in-memory buffer.

#include "vga_buffer.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using vga::BUFFER_HEIGHT;
using vga::BUFFER_WIDTH;
using vga::Color;
using vga::ColorCode;

constexpr ColorCode YELLOW = ColorCode(Color::Yellow, Color::Black);

class WriterTest : public ::testing::Test {
protected:
    std::array<std::uint16_t, BUFFER_HEIGHT * BUFFER_WIDTH> cells{};
    vga::Writer writer{reinterpret_cast<std::uintptr_t>(cells.data()), YELLOW};

    std::string row(std::size_t r) const {
        std::string s;
        for (std::size_t c = 0; c < BUFFER_WIDTH; ++c)
            s += static_cast<char>(cells[r * BUFFER_WIDTH + c] & 0xff);
        return s.substr(0, s.find_last_not_of(std::string(" \0", 2)) + 1);
    }
    std::uint8_t attribute(std::size_t r, std::size_t c) const {
        return static_cast<std::uint8_t>(cells[r * BUFFER_WIDTH + c] >> 8);
    }
    void print(const std::string& s) { writer.write(s.data(), s.size()); }
};

TEST_F(WriterTest, WritesIntoTheLastRow) {
    print("abc");
    EXPECT_EQ(row(BUFFER_HEIGHT - 1), "abc");
    EXPECT_EQ(attribute(BUFFER_HEIGHT - 1, 0), 0x0e);
    EXPECT_EQ(writer.column(), 3u);
    for (std::size_t r = 0; r + 1 < BUFFER_HEIGHT; ++r) EXPECT_EQ(row(r), "") << "row " << r;
}

TEST_F(WriterTest, NewlineScrollsUp) {
    print("first\nsecond\n");
    EXPECT_EQ(row(BUFFER_HEIGHT - 3), "first");
    EXPECT_EQ(row(BUFFER_HEIGHT - 2), "second");
    EXPECT_EQ(row(BUFFER_HEIGHT - 1), "");
    EXPECT_EQ(writer.column(), 0u);
}

TEST_F(WriterTest, ScrollingDropsTheTopRow) {
    for (int i = 0; i < 30; ++i) print("line " + std::to_string(i) + "\n");
    EXPECT_EQ(row(0), "line 6");
    EXPECT_EQ(row(BUFFER_HEIGHT - 2), "line 29");
}

TEST_F(WriterTest, LongLinesWrap) {
    print(std::string(BUFFER_WIDTH, 'x') + "y");
    EXPECT_EQ(row(BUFFER_HEIGHT - 2), std::string(BUFFER_WIDTH, 'x'));
    EXPECT_EQ(row(BUFFER_HEIGHT - 1), "y");
}

TEST_F(WriterTest, NonAsciiBecomesTheReplacementCharacter) {
    print(
        "a\x01"
        "b\xc3\xbc"
        "c\x7f");
    const std::string expected = {'a', '\xfe', 'b', '\xfe', '\xfe', 'c', '\xfe'};
    EXPECT_EQ(row(BUFFER_HEIGHT - 1), expected);
}

TEST_F(WriterTest, ColoursApplyToNewText) {
    writer.set_color(ColorCode(Color::Black, Color::White));
    print("x");
    EXPECT_EQ(attribute(BUFFER_HEIGHT - 1, 0), 0xf0);
}

TEST_F(WriterTest, ClearScreenBlanksEverything) {
    print("some\ntext");
    writer.clear_screen();
    for (std::size_t r = 0; r < BUFFER_HEIGHT; ++r) EXPECT_EQ(row(r), "");
    EXPECT_EQ(writer.column(), 0u);
}

TEST_F(WriterTest, FormatsThroughTheSinkInterface) {
    fmt::format_to(writer, "{} + {} = {:#x}", 1, 2, 3);
    EXPECT_EQ(row(BUFFER_HEIGHT - 1), "1 + 2 = 0x3");
}

// A display that records what it was asked to draw, as the framebuffer console would draw it.
class RecordingDisplay final : public vga::CellDisplay {
public:
    struct Shown {
        std::size_t row, column;
        std::uint16_t cell;
    };
    std::vector<Shown> shown;
    void show(std::size_t row, std::size_t column, std::uint16_t cell) override {
        shown.push_back({row, column, cell});
    }
};

TEST(WriterWithDisplay, AttachDrawsEveryCellOnce) {
    std::array<std::uint16_t, BUFFER_HEIGHT * BUFFER_WIDTH> cells{};
    RecordingDisplay display;
    vga::Writer writer{0, YELLOW};
    writer.attach(vga::Screen{reinterpret_cast<std::uintptr_t>(cells.data()), &display});
    EXPECT_EQ(display.shown.size(), BUFFER_HEIGHT * BUFFER_WIDTH);
}

TEST(WriterWithDisplay, DrawsExactlyTheCellsThatChange) {
    std::array<std::uint16_t, BUFFER_HEIGHT * BUFFER_WIDTH> cells{};
    RecordingDisplay display;
    vga::Writer writer{reinterpret_cast<std::uintptr_t>(cells.data()), YELLOW, &display};
    writer.clear_screen();  // every cell changes from 0 to a yellow space
    EXPECT_EQ(display.shown.size(), BUFFER_HEIGHT * BUFFER_WIDTH);

    display.shown.clear();
    writer.write("ab", 2);
    ASSERT_EQ(display.shown.size(), 2u);
    EXPECT_EQ(display.shown[1].row, BUFFER_HEIGHT - 1);
    EXPECT_EQ(display.shown[1].column, 1u);
    EXPECT_EQ(display.shown[1].cell, vga::screen_char('b', YELLOW));

    // A new line moves "ab" up a row and blanks the last row: four cells change, and the other
    // 1996, blank before and after, are not drawn again.
    display.shown.clear();
    writer.write("\n", 1);
    EXPECT_EQ(display.shown.size(), 4u);
    EXPECT_EQ(cells[(BUFFER_HEIGHT - 2) * BUFFER_WIDTH], vga::screen_char('a', YELLOW));
}

}  // namespace
