// Fuzz target: the PS/2 keyboard decoder (scancode set 1 and the US layout) on any byte stream,
// as a broken or hostile keyboard controller could send it. Every byte must be taken without a
// crash, and what comes out must be a key the decoder knows: a KeyCode below Count with a name,
// and characters that a US keyboard types (printable ASCII and the control characters of
// Enter, Tab, Backspace, Escape and Delete). Run by `./workbook fuzz`; CTest replays
// host/fuzz/keyboard/.

#include "keyboard.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

// A broken promise: say which, then abort (libFuzzer keeps the input as a crash-* file).
[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "keyboard_fuzz: %s\n", what);
    std::abort();
}

// Printable ASCII, and the control characters the layout gives keys: Enter, Tab, Backspace,
// Escape, Delete (0x7f).
bool typable(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 0x20 && u <= 0x7f) || c == '\n' || c == '\t' || c == '\b' || c == 0x1b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    keyboard::Keyboard kb;
    for (std::size_t i = 0; i < size; ++i) {
        const auto event = kb.add_byte(data[i]);
        if (!event) continue;
        if (event->code >= keyboard::KeyCode::Count) fail("a key event with a KeyCode past Count");
        if (keyboard::key_name(event->code) == nullptr) fail("a key without a name");
        const auto key = kb.process_keyevent(*event);
        if (!key) continue;
        if (key->kind == keyboard::DecodedKey::Kind::Unicode && !typable(key->character))
            fail("a character no US keyboard types");
        if (key->kind == keyboard::DecodedKey::Kind::RawKey && key->key >= keyboard::KeyCode::Count)
            fail("a raw key past Count");
    }
    return 0;
}
