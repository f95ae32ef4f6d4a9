#include "keyboard.h"

#include "panic.h"

#include <cstddef>

namespace keyboard {

namespace {

constexpr KeyCode NONE = KeyCode::Count;

// Scancode set 1 make codes 0x00..0x58 (IBM PC AT technical reference; OSDev wiki "PS/2
// Keyboard", scan code set 1).
constexpr KeyCode SET1[0x59] = {
    NONE,
    KeyCode::Escape,
    KeyCode::Key1,
    KeyCode::Key2,
    KeyCode::Key3,
    KeyCode::Key4,
    KeyCode::Key5,
    KeyCode::Key6,
    KeyCode::Key7,
    KeyCode::Key8,
    KeyCode::Key9,
    KeyCode::Key0,
    KeyCode::Minus,
    KeyCode::Equals,
    KeyCode::Backspace,
    KeyCode::Tab,  // 0x0f
    KeyCode::Q,
    KeyCode::W,
    KeyCode::E,
    KeyCode::R,
    KeyCode::T,
    KeyCode::Y,
    KeyCode::U,
    KeyCode::I,
    KeyCode::O,
    KeyCode::P,
    KeyCode::BracketOpen,
    KeyCode::BracketClose,
    KeyCode::Enter,
    KeyCode::LControl,
    KeyCode::A,
    KeyCode::S,  // 0x1f
    KeyCode::D,
    KeyCode::F,
    KeyCode::G,
    KeyCode::H,
    KeyCode::J,
    KeyCode::K,
    KeyCode::L,
    KeyCode::Semicolon,
    KeyCode::Quote,
    KeyCode::Backtick,
    KeyCode::LShift,
    KeyCode::Backslash,
    KeyCode::Z,
    KeyCode::X,
    KeyCode::C,
    KeyCode::V,  // 0x2f
    KeyCode::B,
    KeyCode::N,
    KeyCode::M,
    KeyCode::Comma,
    KeyCode::Period,
    KeyCode::Slash,
    KeyCode::RShift,
    KeyCode::NumpadMultiply,
    KeyCode::LAlt,
    KeyCode::Spacebar,
    KeyCode::CapsLock,
    KeyCode::F1,
    KeyCode::F2,
    KeyCode::F3,
    KeyCode::F4,
    KeyCode::F5,  // 0x3f
    KeyCode::F6,
    KeyCode::F7,
    KeyCode::F8,
    KeyCode::F9,
    KeyCode::F10,
    KeyCode::NumLock,
    KeyCode::ScrollLock,
    KeyCode::Numpad7,
    KeyCode::Numpad8,
    KeyCode::Numpad9,
    KeyCode::NumpadSubtract,
    KeyCode::Numpad4,
    KeyCode::Numpad5,
    KeyCode::Numpad6,
    KeyCode::NumpadAdd,
    KeyCode::Numpad1,  // 0x4f
    KeyCode::Numpad2,
    KeyCode::Numpad3,
    KeyCode::Numpad0,
    KeyCode::NumpadPeriod,
    NONE,
    NONE,
    NONE,
    KeyCode::F11,
    KeyCode::F12,  // 0x58
};

// After 0xe0.
constexpr KeyCode extended(std::uint8_t code) {
    switch (code) {
        case 0x1c: return KeyCode::NumpadEnter;
        case 0x1d: return KeyCode::RControl;
        case 0x35: return KeyCode::NumpadDivide;
        case 0x37: return KeyCode::PrintScreen;
        case 0x38: return KeyCode::RAlt;
        case 0x47: return KeyCode::Home;
        case 0x48: return KeyCode::ArrowUp;
        case 0x49: return KeyCode::PageUp;
        case 0x4b: return KeyCode::ArrowLeft;
        case 0x4d: return KeyCode::ArrowRight;
        case 0x4f: return KeyCode::End;
        case 0x50: return KeyCode::ArrowDown;
        case 0x51: return KeyCode::PageDown;
        case 0x52: return KeyCode::Insert;
        case 0x53: return KeyCode::Delete;
        case 0x5b: return KeyCode::LWin;
        case 0x5c: return KeyCode::RWin;
        case 0x5d: return KeyCode::Menu;
        default: return NONE;  // includes 0x2a/0xaa, the fake shifts around PrintScreen
    }
}

static_assert(SET1[0x1e] == KeyCode::A && SET1[0x39] == KeyCode::Spacebar &&
              SET1[0x58] == KeyCode::F12);

struct Characters {
    char normal;
    char shifted;
};

// US layout: what each key types, without and with shift. 0 = no character.
constexpr Characters us_layout(KeyCode code) {
    constexpr const char* row_digits = "1234567890";
    constexpr const char* row_digits_shifted = "!@#$%^&*()";
    const auto c = static_cast<std::uint8_t>(code);
    if (c >= static_cast<std::uint8_t>(KeyCode::Key1) &&
        c <= static_cast<std::uint8_t>(KeyCode::Key0)) {
        const auto i = static_cast<std::size_t>(c - static_cast<std::uint8_t>(KeyCode::Key1));
        return {row_digits[i], row_digits_shifted[i]};
    }
    switch (code) {
        case KeyCode::Escape: return {0x1b, 0x1b};
        case KeyCode::Minus: return {'-', '_'};
        case KeyCode::Equals: return {'=', '+'};
        case KeyCode::Backspace: return {'\b', '\b'};
        case KeyCode::Tab: return {'\t', '\t'};
        case KeyCode::BracketOpen: return {'[', '{'};
        case KeyCode::BracketClose: return {']', '}'};
        case KeyCode::Enter:
        case KeyCode::NumpadEnter: return {'\n', '\n'};
        case KeyCode::Semicolon: return {';', ':'};
        case KeyCode::Quote: return {'\'', '"'};
        case KeyCode::Backtick: return {'`', '~'};
        case KeyCode::Backslash: return {'\\', '|'};
        case KeyCode::Comma: return {',', '<'};
        case KeyCode::Period: return {'.', '>'};
        case KeyCode::Slash: return {'/', '?'};
        case KeyCode::Spacebar: return {' ', ' '};
        case KeyCode::NumpadMultiply: return {'*', '*'};
        case KeyCode::NumpadSubtract: return {'-', '-'};
        case KeyCode::NumpadAdd: return {'+', '+'};
        case KeyCode::NumpadDivide: return {'/', '/'};
        case KeyCode::Delete: return {0x7f, 0x7f};
        default: return {0, 0};
    }
}

constexpr char letter(KeyCode code) {
    switch (code) {
        // clang-format off
#define KEYBOARD_LETTER(l) case KeyCode::l: return #l[0];
        KEYBOARD_LETTER(A) KEYBOARD_LETTER(B) KEYBOARD_LETTER(C) KEYBOARD_LETTER(D)
        KEYBOARD_LETTER(E) KEYBOARD_LETTER(F) KEYBOARD_LETTER(G) KEYBOARD_LETTER(H)
        KEYBOARD_LETTER(I) KEYBOARD_LETTER(J) KEYBOARD_LETTER(K) KEYBOARD_LETTER(L)
        KEYBOARD_LETTER(M) KEYBOARD_LETTER(N) KEYBOARD_LETTER(O) KEYBOARD_LETTER(P)
        KEYBOARD_LETTER(Q) KEYBOARD_LETTER(R) KEYBOARD_LETTER(S) KEYBOARD_LETTER(T)
        KEYBOARD_LETTER(U) KEYBOARD_LETTER(V) KEYBOARD_LETTER(W) KEYBOARD_LETTER(X)
        KEYBOARD_LETTER(Y) KEYBOARD_LETTER(Z)
#undef KEYBOARD_LETTER
        default: return 0;
        // clang-format on
    }
}
static_assert(letter(KeyCode::Q) == 'Q' && letter(KeyCode::Key1) == 0);

// With num lock on, the keypad types digits; off, its keys are cursor keys (reported raw).
constexpr char numpad_digit(KeyCode code) {
    switch (code) {
        case KeyCode::Numpad0: return '0';
        case KeyCode::Numpad1: return '1';
        case KeyCode::Numpad2: return '2';
        case KeyCode::Numpad3: return '3';
        case KeyCode::Numpad4: return '4';
        case KeyCode::Numpad5: return '5';
        case KeyCode::Numpad6: return '6';
        case KeyCode::Numpad7: return '7';
        case KeyCode::Numpad8: return '8';
        case KeyCode::Numpad9: return '9';
        case KeyCode::NumpadPeriod: return '.';
        default: return 0;
    }
}

}  // namespace

const char* key_name(KeyCode code) {
    static constexpr const char* names[] = {
#define KEYBOARD_NAME(name) #name,
        KEYBOARD_KEYS(KEYBOARD_NAME)
#undef KEYBOARD_NAME
    };
    const auto i = static_cast<std::size_t>(code);
    return i < sizeof names / sizeof names[0] ? names[i] : "Unknown";
}

void format_value(fmt::Sink& sink, KeyCode code, const fmt::Spec& spec) {
    const char* name = key_name(code);
    std::size_t length = 0;
    while (name[length] != '\0') ++length;
    fmt::write_padded(sink, name, length, spec, '<');
}

std::optional<KeyEvent> ScancodeSet1::advance(std::uint8_t byte) {
    if (skip_ > 0) {
        --skip_;
        return std::nullopt;
    }
    if (byte == 0xe1) {
        skip_ = 5;  // E1 1D 45 E1 9D C5: Pause
        return std::nullopt;
    }
    if (byte == 0xe0) {
        extended_ = true;
        return std::nullopt;
    }
    const bool was_extended = extended_;
    extended_ = false;
    const auto code = static_cast<std::uint8_t>(byte & 0x7f);
    const KeyState state = (byte & 0x80) != 0 ? KeyState::Up : KeyState::Down;
    const KeyCode key =
        was_extended ? extended(code) : (code < sizeof SET1 / sizeof SET1[0] ? SET1[code] : NONE);
    if (key == NONE) return std::nullopt;
    return KeyEvent{key, state};
}

std::optional<DecodedKey> Keyboard::process_keyevent(KeyEvent event) {
    const bool down = event.state == KeyState::Down;
    // Modifiers change the state and type nothing themselves.
    switch (event.code) {
        case KeyCode::LShift: left_shift_ = down; return std::nullopt;
        case KeyCode::RShift: right_shift_ = down; return std::nullopt;
        case KeyCode::CapsLock:
            if (down) caps_lock_ = !caps_lock_;
            return std::nullopt;
        case KeyCode::NumLock:
            if (down) num_lock_ = !num_lock_;
            return std::nullopt;
        case KeyCode::LControl:
        case KeyCode::RControl:
        case KeyCode::LAlt:
        case KeyCode::RAlt: return std::nullopt;
        default: break;
    }
    if (!down) return std::nullopt;

    // LAB(scancode-decoder): what a key press types: letters, keypad, the US layout's symbols
    // STUB: (void)numpad_digit, (void)us_layout;
    // STUB: panic("lab scancode-decoder: not written yet");
    const bool shift = left_shift_ || right_shift_;
    if (const char l = letter(event.code); l != 0) {
        // Caps lock inverts shift for letters only.
        return DecodedKey::unicode(shift != caps_lock_ ? l : static_cast<char>(l - 'A' + 'a'));
    }
    if (const char d = numpad_digit(event.code); d != 0) {
        return num_lock_ ? std::optional(DecodedKey::unicode(d))
                         : std::optional(DecodedKey::raw(event.code));
    }
    if (const Characters c = us_layout(event.code); c.normal != 0) {
        return DecodedKey::unicode(shift ? c.shifted : c.normal);
    }
    return DecodedKey::raw(event.code);
    // END LAB(scancode-decoder)
}

}  // namespace keyboard

#if defined(UNIT_TESTS)
#include "test_framework.h"

namespace keyboard {

namespace {

std::optional<DecodedKey> feed(Keyboard& keyboard, std::uint8_t byte) {
    const auto event = keyboard.add_byte(byte);
    return event ? keyboard.process_keyevent(*event) : std::nullopt;
}

}  // namespace

// Press and release of 'a' (0x1e, 0x9e); shift (0x2a) makes it 'A' and '1' '!'; caps lock
// (0x3a) makes it 'A' but leaves '1'; caps lock with shift gives 'a' again; an extended key
// (0xe0 0x48) is reported raw. Modifiers type nothing themselves.
KERNEL_TEST(test_scancode_decoder) {
    Keyboard keyboard;
    ASSERT_TRUE(feed(keyboard, 0x1e) == DecodedKey::unicode('a'));
    ASSERT_TRUE(!feed(keyboard, 0x9e).has_value());
    ASSERT_TRUE(!feed(keyboard, 0x2a).has_value());
    ASSERT_TRUE(feed(keyboard, 0x1e) == DecodedKey::unicode('A'));
    ASSERT_TRUE(feed(keyboard, 0x02) == DecodedKey::unicode('!'));
    ASSERT_TRUE(!feed(keyboard, 0xaa).has_value());
    ASSERT_TRUE(!feed(keyboard, 0x3a).has_value());
    ASSERT_TRUE(feed(keyboard, 0x1e) == DecodedKey::unicode('A'));
    ASSERT_TRUE(feed(keyboard, 0x02) == DecodedKey::unicode('1'));
    ASSERT_TRUE(!feed(keyboard, 0x2a).has_value());
    ASSERT_TRUE(feed(keyboard, 0x1e) == DecodedKey::unicode('a'));
    ASSERT_TRUE(!feed(keyboard, 0xe0).has_value());
    ASSERT_TRUE(feed(keyboard, 0x48) == DecodedKey::raw(KeyCode::ArrowUp));
}

}  // namespace keyboard
#endif
