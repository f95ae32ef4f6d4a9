// Integration test: a failing assertion must panic. The test passes when the panic handler is
// reached; getting past the assertion is the failure.

#include <boot/boot.h>

#include "framebuffer.h"
#include "qemu_exit.h"
#include "serial.h"
#include "test_framework.h"

namespace {

void should_fail() {
    serial_print("should_panic::should_fail...\t");
    ASSERT_EQ(0, 1);
}

}  // namespace

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    framebuffer::init(multiboot_info_phys);
    should_fail();
    serial_println("[test did not panic]");
    exit_qemu(QemuExitCode::Failed);
}

[[noreturn]] void panic_handler(const PanicInfo& info) {
    serial_println("[ok]");
    {
        auto port = serial::SERIAL1.lock();
        port->puts("(expected) ");
        info.print(*port);
        port->put('\n');
    }
    exit_qemu(QemuExitCode::Success);
}
