// Compiler support for freestanding C++: the functions g++ and clang may call on their own even
// when the source never names them (block copies, zeroing, struct comparison), and the hooks of
// the C++ ABI a kernel without libstdc++ must supply. The Rust series gets the same from its
// compiler_builtins crate. Build this file with -ffreestanding (and -fno-builtin): otherwise
// the compiler may turn the loops below back into calls to themselves.

#include <cstddef>

extern "C" {

void* memcpy(void* dest, const void* src, std::size_t count) {
    auto* d = static_cast<unsigned char*>(dest);
    const auto* s = static_cast<const unsigned char*>(src);
    for (std::size_t i = 0; i < count; ++i) d[i] = s[i];
    return dest;
}

void* memmove(void* dest, const void* src, std::size_t count) {
    auto* d = static_cast<unsigned char*>(dest);
    const auto* s = static_cast<const unsigned char*>(src);
    if (d < s) {
        for (std::size_t i = 0; i < count; ++i) d[i] = s[i];
    } else {
        for (std::size_t i = count; i > 0; --i) d[i - 1] = s[i - 1];
    }
    return dest;
}

void* memset(void* dest, int value, std::size_t count) {
    auto* d = static_cast<unsigned char*>(dest);
    for (std::size_t i = 0; i < count; ++i) d[i] = static_cast<unsigned char>(value);
    return dest;
}

int memcmp(const void* lhs, const void* rhs, std::size_t count) {
    const auto* a = static_cast<const unsigned char*>(lhs);
    const auto* b = static_cast<const unsigned char*>(rhs);
    for (std::size_t i = 0; i < count; ++i) {
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}

// Called if a pure virtual function is ever reached through a half-built or half-destroyed
// object. There is nothing sensible to continue with.
[[noreturn]] void __cxa_pure_virtual() { __builtin_trap(); }

}  // extern "C"
