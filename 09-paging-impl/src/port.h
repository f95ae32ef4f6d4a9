// x86 I/O ports: a second address space of 65536 byte-wide ports, reached only with the in and
// out instructions. A Port knows its width and whether it may be read, written or both, so a
// write to a read-only port does not compile (the idea of the x86_64 crate's PortGeneric).
#pragma once

#include <concepts>
#include <cstdint>

namespace port {

struct ReadOnly {};
struct WriteOnly {};
struct ReadWrite {};

template <typename T>
concept PortWidth = std::same_as<T, std::uint8_t> || std::same_as<T, std::uint16_t> ||
    std::same_as<T, std::uint32_t>;

template <PortWidth T, typename Access = ReadWrite>
class Port {
public:
    constexpr explicit Port(std::uint16_t number) : number_(number) {}

    T read() const requires(!std::same_as<Access, WriteOnly>) {
        T value;
        if constexpr (sizeof(T) == 1) asm volatile("inb %1, %0" : "=a"(value) : "Nd"(number_));
        else if constexpr (sizeof(T) == 2) asm volatile("inw %1, %0" : "=a"(value) : "Nd"(number_));
        else asm volatile("inl %1, %0" : "=a"(value) : "Nd"(number_));
        return value;
    }

    void write(T value) const requires(!std::same_as<Access, ReadOnly>) {
        if constexpr (sizeof(T) == 1) asm volatile("outb %0, %1" : : "a"(value), "Nd"(number_));
        else if constexpr (sizeof(T) == 2)
            asm volatile("outw %0, %1" : : "a"(value), "Nd"(number_));
        else asm volatile("outl %0, %1" : : "a"(value), "Nd"(number_));
    }

    constexpr std::uint16_t number() const { return number_; }

private:
    std::uint16_t number_;
};

}  // namespace port
