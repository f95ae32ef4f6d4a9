#include "serial.h"

namespace serial {

namespace {

// Register offsets (PC16550D data sheet, table 2).
constexpr std::uint16_t INTERRUPT_ENABLE = 1;  // with DLAB set: divisor high byte
constexpr std::uint16_t FIFO_CONTROL = 2;
constexpr std::uint16_t LINE_CONTROL = 3;
constexpr std::uint16_t MODEM_CONTROL = 4;
constexpr std::uint16_t LINE_STATUS = 5;

constexpr std::uint8_t LINE_CONTROL_DLAB = 0x80;
constexpr std::uint8_t LINE_CONTROL_8N1 = 0x03;      // 8 data bits, no parity, 1 stop bit
constexpr std::uint8_t FIFO_ENABLE_CLEAR_14 = 0xc7;  // enable, clear both, 14-byte threshold
constexpr std::uint8_t MODEM_DTR_RTS_OUT2 = 0x0b;
constexpr std::uint8_t LINE_STATUS_THR_EMPTY = 0x20;  // transmit holding register empty
constexpr std::uint16_t DIVISOR_38400_BAUD = 115200 / 38400;

}  // namespace

constinit Spinlock<SerialPort> SERIAL1{SerialPort{COM1}};

void SerialPort::init() {
    reg(INTERRUPT_ENABLE).write(0x00);
    reg(LINE_CONTROL).write(LINE_CONTROL_DLAB);
    data().write(static_cast<std::uint8_t>(DIVISOR_38400_BAUD & 0xff));
    reg(INTERRUPT_ENABLE).write(static_cast<std::uint8_t>(DIVISOR_38400_BAUD >> 8));
    reg(LINE_CONTROL).write(LINE_CONTROL_8N1);
    reg(FIFO_CONTROL).write(FIFO_ENABLE_CLEAR_14);
    reg(MODEM_CONTROL).write(MODEM_DTR_RTS_OUT2);
    initialized_ = true;
}

void SerialPort::send(std::uint8_t byte) {
    if (!initialized_) init();
    while ((reg(LINE_STATUS).read() & LINE_STATUS_THR_EMPTY) == 0) __builtin_ia32_pause();
    data().write(byte);
}

void SerialPort::write(const char* text, std::size_t length) {
    for (std::size_t i = 0; i < length; ++i) send(static_cast<std::uint8_t>(text[i]));
}

void print_args(const char* format, const fmt::Arg* args, std::size_t count, bool newline) {
    auto port = SERIAL1.lock();
    fmt::vformat(*port, format, args, count);
    if (newline) port->put('\n');
}

}  // namespace serial
