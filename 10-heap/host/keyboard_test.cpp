// Host tests of the scancode set 1 decoder and the US layout (src/keyboard.h).

#include "keyboard.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace {

using keyboard::DecodedKey;
using keyboard::KeyCode;
using keyboard::KeyEvent;
using keyboard::KeyState;

// Feeds bytes and collects what they type: characters as they are, raw keys as <Name>.
std::string type(keyboard::Keyboard& kb, std::initializer_list<std::uint8_t> bytes) {
    std::string out;
    for (const std::uint8_t b : bytes) {
        const auto event = kb.add_byte(b);
        if (!event) continue;
        const auto key = kb.process_keyevent(*event);
        if (!key) continue;
        if (key->kind == DecodedKey::Kind::Unicode) out += key->character;
        else out += std::string("<") + keyboard::key_name(key->key) + ">";
    }
    return out;
}

TEST(ScancodeSet1, PressAndRelease) {
    keyboard::ScancodeSet1 set;
    EXPECT_EQ(set.advance(0x1e), (KeyEvent{KeyCode::A, KeyState::Down}));
    EXPECT_EQ(set.advance(0x9e), (KeyEvent{KeyCode::A, KeyState::Up}));
    EXPECT_EQ(set.advance(0x01), (KeyEvent{KeyCode::Escape, KeyState::Down}));
    EXPECT_EQ(set.advance(0x58), (KeyEvent{KeyCode::F12, KeyState::Down}));
}

TEST(ScancodeSet1, ExtendedKeys) {
    keyboard::ScancodeSet1 set;
    EXPECT_FALSE(set.advance(0xe0).has_value());
    EXPECT_EQ(set.advance(0x48), (KeyEvent{KeyCode::ArrowUp, KeyState::Down}));
    EXPECT_FALSE(set.advance(0xe0).has_value());
    EXPECT_EQ(set.advance(0xc8), (KeyEvent{KeyCode::ArrowUp, KeyState::Up}));
    // The prefix applies to one key only.
    EXPECT_EQ(set.advance(0x48), (KeyEvent{KeyCode::Numpad8, KeyState::Down}));
    EXPECT_FALSE(set.advance(0xe0).has_value());
    EXPECT_EQ(set.advance(0x1d), (KeyEvent{KeyCode::RControl, KeyState::Down}));
}

TEST(ScancodeSet1, UnknownCodesAndPauseAreSkipped) {
    keyboard::ScancodeSet1 set;
    EXPECT_FALSE(set.advance(0x55).has_value());
    for (const std::uint8_t b : {0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5})
        EXPECT_FALSE(set.advance(b).has_value());
    EXPECT_EQ(set.advance(0x10), (KeyEvent{KeyCode::Q, KeyState::Down}));
}

TEST(Keyboard, LettersDigitsAndSymbols) {
    keyboard::Keyboard kb;
    EXPECT_EQ(type(kb, {0x23, 0xa3, 0x12, 0x26, 0x26, 0x18, 0x39, 0x02, 0x0b, 0x0c,
                        0x0d, 0x1a, 0x1b, 0x27, 0x28, 0x29, 0x2b, 0x33, 0x34, 0x35}),
              "hello 10-=[];'`\\,./");
}

TEST(Keyboard, ShiftAffectsEverythingWhileHeld) {
    keyboard::Keyboard kb;
    EXPECT_EQ(type(kb, {0x2a, 0x23, 0x02, 0x0c, 0x28, 0xaa, 0x23}), "H!_\"h");
    EXPECT_EQ(type(kb, {0x36, 0x1e, 0xb6, 0x1e}), "Aa");  // right shift
}

TEST(Keyboard, CapsLockTogglesOnPressAndAffectsLettersOnly) {
    keyboard::Keyboard kb;
    EXPECT_EQ(type(kb, {0x3a, 0xba, 0x1e, 0x02}), "A1");
    EXPECT_TRUE(kb.caps_lock());
    EXPECT_EQ(type(kb, {0x2a, 0x1e, 0x02, 0xaa}), "a!");  // shift undoes caps lock for letters
    EXPECT_EQ(type(kb, {0x3a, 0xba, 0x1e}), "a");
    EXPECT_FALSE(kb.caps_lock());
}

TEST(Keyboard, ControlCharactersAndRawKeys) {
    keyboard::Keyboard kb;
    EXPECT_EQ(type(kb, {0x1c, 0x0f, 0x0e, 0x01}), "\n\t\b\x1b");
    EXPECT_EQ(type(kb, {0x3b, 0xe0, 0x4b, 0xe0, 0x53}), "<F1><ArrowLeft>\x7f");
}

TEST(Keyboard, ModifiersTypeNothing) {
    keyboard::Keyboard kb;
    EXPECT_EQ(type(kb, {0x2a, 0xaa, 0x1d, 0x9d, 0x38, 0xb8, 0xe0, 0x38, 0xe0, 0xb8}), "");
}

TEST(Keyboard, NumLockSwitchesTheKeypad) {
    keyboard::Keyboard kb;
    EXPECT_TRUE(kb.num_lock());
    EXPECT_EQ(type(kb, {0x47, 0x52, 0x53, 0x37, 0x4e}), "70.*+");
    EXPECT_EQ(type(kb, {0x45, 0xc5, 0x47}), "<Numpad7>");
}

TEST(Keyboard, KeyNamesCoverEveryCode) {
    for (int i = 0; i < static_cast<int>(KeyCode::Count); ++i) {
        EXPECT_STRNE(keyboard::key_name(static_cast<KeyCode>(i)), "Unknown") << i;
    }
    EXPECT_STREQ(keyboard::key_name(KeyCode::PageDown), "PageDown");
}

}  // namespace
