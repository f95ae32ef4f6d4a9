// Where the task code's output goes in the kernel: the screen and the serial port (so headless
// runs and tests see typed keys too). May run in an interrupt handler (the scancode queue's
// overflow warning): both print paths take locks that keep interrupts off, so this is safe.

#include "task/console.h"

#include "serial.h"
#include "vga_buffer.h"

namespace task {

void console_print_args(const char* format, const fmt::Arg* args, std::size_t count, bool newline) {
    vga::print_args(format, args, count, newline);
    serial::print_args(format, args, count, newline);
}

}  // namespace task
