// Fuzz target: the multiboot2 boot information parser (BootInfo::parse) on any byte string.
// The parser trusts the block's own total_size to say how far it may read, as the kernel must
// (GRUB's word is all it has); so the input's first word is lowered to the input's length when it
// claims more, and everything after that is the fuzzer's. Any input must give either an error or
// a memory map the rest of the kernel can rely on: at most MAX_REGIONS regions, sorted by start,
// each with start <= end and inside the 52-bit physical address space. Run by
// `./workbook fuzz`; CTest replays host/fuzz/boot_info/.

#include "boot_info.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

// A broken promise: say which, then abort (libFuzzer keeps the input as a crash-* file).
[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "boot_info_fuzz: %s\n", what);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 8) return 0;  // the fixed part (total_size, reserved) is always there
    std::vector<std::uint8_t> info(data, data + size);
    std::uint32_t total_size = 0;
    std::memcpy(&total_size, info.data(), sizeof total_size);
    if (total_size > size) {
        total_size = static_cast<std::uint32_t>(size);
        std::memcpy(info.data(), &total_size, sizeof total_size);
    }
    const boot_info::PhysRange kernel{memory::PhysAddr(0x100000), memory::PhysAddr(0x200000)};
    const auto parsed = boot_info::BootInfo::parse(info.data(), memory::PhysAddr(0x10000),
                                                   memory::VirtAddr(0), kernel);
    if (parsed.is_err()) {
        if (boot_info::describe(parsed.error()) == nullptr) fail("an error without a description");
        return 0;
    }
    const auto regions = parsed.value().memory_regions();
    if (regions.size() > boot_info::BootInfo::MAX_REGIONS) fail("more regions than MAX_REGIONS");
    constexpr std::uint64_t limit = 1ull << 52;
    for (std::size_t i = 0; i < regions.size(); ++i) {
        const auto& r = regions[i].range;
        if (r.start > r.end) fail("a region that ends before it starts");
        if (r.end.as_u64() > limit) fail("a region past the 52-bit physical address space");
        if (i > 0 && regions[i - 1].range.start > r.start) fail("regions out of order");
    }
    (void)parsed.value().usable_bytes();
    return 0;
}
