// Integration test: plain `new` on an exhausted heap must panic and say how much was asked for;
// returning (with null or anything else) is the failure.

#include <boot/boot.h>

#include "allocator.h"
#include "framebuffer.h"
#include "kernel.h"
#include "memory.h"
#include "qemu_exit.h"
#include "serial.h"
#include "test_framework.h"

#include <cstddef>
#include <cstdint>

namespace {

volatile std::size_t request =
    allocator::HEAP_SIZE * 2;  // not a constant: the compiler must call new

}  // namespace

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    framebuffer::init(multiboot_info_phys);
    kernel::init();
    memory::init(memory::PhysAddr(multiboot_info_phys));
    allocator::init_kernel_heap();

    serial_print("heap_exhaustion::plain_new_panics...\t");
    auto* bytes = new std::uint8_t[request];
    serial_println("[failed]\n\nError: new returned {} instead of panicking",
                   static_cast<void*>(bytes));
    exit_qemu(QemuExitCode::Failed);
}

[[noreturn]] void panic_handler(const PanicInfo& info) {
    TextBuffer message;
    info.print(message);
    if (!message.contains("heap exhausted: cannot allocate 204800 bytes aligned to 16")) {
        serial_println("[failed]\n\nError: the panic does not name the request:\n{}",
                       message.text());
        exit_qemu(QemuExitCode::Failed);
    }
    serial_println("[ok]\n{}", message.text());
    exit_qemu(QemuExitCode::Success);
}
