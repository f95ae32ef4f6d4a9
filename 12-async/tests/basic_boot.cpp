// Integration test: printing works in a kernel that has just booted and initialised nothing.

#include <boot/boot.h>

#include "test_framework.h"
#include "vga_buffer.h"

extern "C" [[noreturn]] void kernel_main(std::uint64_t) { run_tests(); }

[[noreturn]] void panic_handler(const PanicInfo& info) { test_panic_handler(info); }

KERNEL_TEST(test_println) { println("test_println output"); }
