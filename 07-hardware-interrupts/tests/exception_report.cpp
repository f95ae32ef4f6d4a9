// Integration test: an exception is reported with its name, its decoded error code and the
// address of the faulting instruction. Built once per exception (EXCEPTION_DE, _UD, _GP, _PF):
// the kernel raises it at a labelled instruction, and the panic handler checks the report.

#include <boot/boot.h>

#include "framebuffer.h"
#include "kernel.h"
#include "qemu_exit.h"
#include "serial.h"
#include "test_framework.h"

#include <cstddef>
#include <cstdint>

extern "C" const char fault_site[];

namespace {

#if defined(EXCEPTION_DE)
constexpr const char* TEST_NAME = "divide_error";
constexpr const char* EXPECTED[] = {"EXCEPTION: DIVIDE ERROR (vector 0)"};
[[gnu::noinline]] void raise() {
    asm volatile(
        "xor %%edx, %%edx\n\t"
        "xor %%ecx, %%ecx\n\t"
        "mov $1, %%eax\n\t"
        ".globl fault_site\n"
        "fault_site: divl %%ecx"
        :
        :
        : "eax", "ecx", "edx");
}
#elif defined(EXCEPTION_UD)
constexpr const char* TEST_NAME = "invalid_opcode";
constexpr const char* EXPECTED[] = {"EXCEPTION: INVALID OPCODE (vector 6)"};
[[gnu::noinline]] void raise() { asm volatile(".globl fault_site\nfault_site: ud2"); }
#elif defined(EXCEPTION_GP)
constexpr const char* TEST_NAME = "general_protection_fault";
constexpr const char* EXPECTED[] = {"EXCEPTION: GENERAL PROTECTION FAULT (vector 13)",
                                    "error code: 0x0\n"};
// A non-canonical address (bits 63..47 not all equal) raises #GP, not #PF.
[[gnu::noinline]] void raise() {
    asm volatile(
        "movabs $0x8000000000000000, %%rax\n\t"
        ".globl fault_site\n"
        "fault_site: mov (%%rax), %%rax"
        :
        :
        : "rax");
}
#elif defined(EXCEPTION_PF)
constexpr const char* TEST_NAME = "page_fault";
constexpr const char* EXPECTED[] = {"EXCEPTION: PAGE FAULT (vector 14)",
                                    "error code: 0x0 (not present, read, kernel mode)"};
[[gnu::noinline]] void raise() {
    asm volatile(
        "movabs $0xdeadbeaf000, %%rax\n\t"
        ".globl fault_site\n"
        "fault_site: mov (%%rax), %%rax"
        :
        :
        : "rax");
}
#else
#error "define one EXCEPTION_* kind"
#endif

}  // namespace

extern "C" [[noreturn]] void kernel_main(std::uint64_t multiboot_info_phys) {
    framebuffer::init(multiboot_info_phys);
    kernel::init();
    serial_print("exception_report::{}...\t", TEST_NAME);
    raise();
    serial_println("[failed]\n\nError: the instruction did not raise the exception");
    exit_qemu(QemuExitCode::Failed);
}

[[noreturn]] void panic_handler(const PanicInfo& info) {
    TextBuffer report;
    info.print(report);
    TextBuffer site;
    fmt::format_to(site, "instruction_pointer: {:#x},",
                   reinterpret_cast<std::uintptr_t>(fault_site));
    for (const char* expected : EXPECTED) {
        if (!report.contains(expected)) {
            serial_println("[failed]\n\nError: the report lacks \"{}\":\n{}", expected,
                           report.text());
            exit_qemu(QemuExitCode::Failed);
        }
    }
    if (!report.contains(site.text())) {
        serial_println(
            "[failed]\n\nError: the report does not point at the faulting instruction ({}):\n{}",
            site.text(), report.text());
        exit_qemu(QemuExitCode::Failed);
    }
    serial_println("[ok]\n{}", report.text());
    exit_qemu(QemuExitCode::Success);
}
