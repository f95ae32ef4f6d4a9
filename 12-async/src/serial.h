// The first serial port (COM1, a 16550 UART at I/O port 0x3f8). QEMU connects it to a file or
// the terminal, which makes it the way test results leave the machine.
#pragma once

#include "format.h"
#include "port.h"
#include "spinlock.h"

#include <cstddef>
#include <cstdint>

namespace serial {

// Registers of a 16550 relative to its base port (National Semiconductor PC16550D data sheet,
// table 2). With the divisor latch access bit (DLAB) set, offsets 0 and 1 hold the baud divisor.
class SerialPort final : public fmt::Sink {
public:
    constexpr explicit SerialPort(std::uint16_t base) : base_(base) {}

    // Sets 38400 baud, 8 data bits, no parity, one stop bit, FIFOs on, interrupts off.
    // Writing initialises the port first if nobody has, so printing works right after boot.
    void init();
    void send(std::uint8_t byte);
    void write(const char* text, std::size_t length) override;

private:
    port::Port<std::uint8_t> data() const { return port::Port<std::uint8_t>(base_); }
    port::Port<std::uint8_t> reg(std::uint16_t offset) const {
        return port::Port<std::uint8_t>(base_ + offset);
    }

    std::uint16_t base_;
    bool initialized_ = false;
};

inline constexpr std::uint16_t COM1 = 0x3f8;

extern constinit Spinlock<SerialPort> SERIAL1;

void print_args(const char* format, const fmt::Arg* args, std::size_t count, bool newline);

}  // namespace serial

template <typename... Args>
void serial_print(fmt::FormatString<Args...> format, const Args&... args) {
    fmt::print_with(serial::print_args, false, format, args...);
}

template <typename... Args>
void serial_println(fmt::FormatString<Args...> format, const Args&... args) {
    fmt::print_with(serial::print_args, true, format, args...);
}
