// PS/2 keyboard decoding: scancode set 1 bytes -> key events -> characters of a US layout.
//
// Pure logic with no hardware access, so it is tested on the host as well as in the kernel.
// The interrupt handler reads one byte from port 0x60 per interrupt and feeds it in here.
#pragma once

#include "format.h"

#include <cstdint>
#include <optional>

namespace keyboard {

// KEY(name): every key the decoder knows, in one list so names and codes cannot drift apart.
// The list is laid out by hand: clang-format 14 would staircase it.
// clang-format off
#define KEYBOARD_KEYS(KEY)                                                                         \
    KEY(Escape) KEY(Key1) KEY(Key2) KEY(Key3) KEY(Key4) KEY(Key5) KEY(Key6) KEY(Key7) KEY(Key8)    \
    KEY(Key9) KEY(Key0) KEY(Minus) KEY(Equals) KEY(Backspace) KEY(Tab) KEY(Q) KEY(W) KEY(E)        \
    KEY(R) KEY(T) KEY(Y) KEY(U) KEY(I) KEY(O) KEY(P) KEY(BracketOpen) KEY(BracketClose)            \
    KEY(Enter) KEY(LControl) KEY(A) KEY(S) KEY(D) KEY(F) KEY(G) KEY(H) KEY(J) KEY(K) KEY(L)        \
    KEY(Semicolon) KEY(Quote) KEY(Backtick) KEY(LShift) KEY(Backslash) KEY(Z) KEY(X) KEY(C)        \
    KEY(V) KEY(B) KEY(N) KEY(M) KEY(Comma) KEY(Period) KEY(Slash) KEY(RShift)                      \
    KEY(NumpadMultiply) KEY(LAlt) KEY(Spacebar) KEY(CapsLock) KEY(F1) KEY(F2) KEY(F3) KEY(F4)      \
    KEY(F5) KEY(F6) KEY(F7) KEY(F8) KEY(F9) KEY(F10) KEY(NumLock) KEY(ScrollLock) KEY(Numpad7)     \
    KEY(Numpad8) KEY(Numpad9) KEY(NumpadSubtract) KEY(Numpad4) KEY(Numpad5) KEY(Numpad6)           \
    KEY(NumpadAdd) KEY(Numpad1) KEY(Numpad2) KEY(Numpad3) KEY(Numpad0) KEY(NumpadPeriod)           \
    KEY(F11) KEY(F12) KEY(NumpadEnter) KEY(RControl) KEY(NumpadDivide) KEY(RAlt) KEY(Home)         \
    KEY(ArrowUp) KEY(PageUp) KEY(ArrowLeft) KEY(ArrowRight) KEY(End) KEY(ArrowDown)                \
    KEY(PageDown) KEY(Insert) KEY(Delete) KEY(LWin) KEY(RWin) KEY(Menu) KEY(PrintScreen)
// clang-format on

enum class KeyCode : std::uint8_t {
#define KEYBOARD_ENUM(name) name,
    KEYBOARD_KEYS(KEYBOARD_ENUM)
#undef KEYBOARD_ENUM
        Count
};

const char* key_name(KeyCode code);
void format_value(fmt::Sink& sink, KeyCode code, const fmt::Spec& spec);

enum class KeyState : std::uint8_t { Up, Down };

struct KeyEvent {
    KeyCode code;
    KeyState state;
    constexpr bool operator==(const KeyEvent&) const = default;
};

// What a key press means: a character, or a key without one (arrows, F-keys, modifiers).
struct DecodedKey {
    enum class Kind : std::uint8_t { Unicode, RawKey };
    Kind kind;
    char character;  // for Unicode: ASCII; Enter is '\n', Tab '\t', Backspace '\b', Escape 0x1b
    KeyCode key;     // for RawKey

    static constexpr DecodedKey unicode(char c) { return {Kind::Unicode, c, KeyCode::Count}; }
    static constexpr DecodedKey raw(KeyCode k) { return {Kind::RawKey, 0, k}; }
    constexpr bool operator==(const DecodedKey&) const = default;
};

// Scancode set 1 (the set the PS/2 controller translates to by default): one byte per make
// code, the same | 0x80 to release; 0xe0 announces an extended key; 0xe1 starts the six-byte
// Pause sequence, which has no release and is skipped.
class ScancodeSet1 {
public:
    std::optional<KeyEvent> advance(std::uint8_t byte);

private:
    bool extended_ = false;
    std::uint8_t skip_ = 0;
};

// Keeps modifier state and turns key events into characters (US layout, Ctrl ignored).
class Keyboard {
public:
    // Feeds one scancode byte; returns a key event once a key's bytes are complete.
    std::optional<KeyEvent> add_byte(std::uint8_t byte) { return scancodes_.advance(byte); }
    // Updates modifiers; returns what a key press means (releases mean nothing).
    std::optional<DecodedKey> process_keyevent(KeyEvent event);

    bool caps_lock() const { return caps_lock_; }
    bool num_lock() const { return num_lock_; }

private:
    ScancodeSet1 scancodes_;
    bool left_shift_ = false;
    bool right_shift_ = false;
    bool caps_lock_ = false;
    bool num_lock_ = true;  // as the BIOS leaves it
};

}  // namespace keyboard
