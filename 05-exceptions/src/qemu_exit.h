// Leaving QEMU with a status: the isa-debug-exit device (configured by the test harness at I/O
// port 0xf4, 4 bytes wide) ends QEMU with status (value << 1) | 1 when a value is written to it.
#pragma once

#include "cpu.h"
#include "port.h"

#include <cstdint>

enum class QemuExitCode : std::uint32_t {
    Success = 0x10,  // QEMU exits with 33
    Failed = 0x11,   // QEMU exits with 35
};

inline constexpr std::uint16_t ISA_DEBUG_EXIT_PORT = 0xf4;

[[noreturn]] inline void exit_qemu(QemuExitCode code) {
    port::Port<std::uint32_t, port::WriteOnly>(ISA_DEBUG_EXIT_PORT)
        .write(static_cast<std::uint32_t>(code));
    // Without the device (a machine started by hand) the write does nothing: stop here instead.
    cpu::halt_forever();
}
