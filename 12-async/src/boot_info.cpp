#include "boot_info.h"

namespace boot_info {

namespace {

// Multiboot2 specification, 3.6.1 and 3.6.8.
constexpr std::uint32_t TAG_END = 0;
constexpr std::uint32_t TAG_MEMORY_MAP = 6;
constexpr std::size_t TAG_ALIGN = 8;
// Physical addresses have at most 52 bits (Intel SDM Vol. 3A, 4.1.4); PhysAddr holds below this.
constexpr std::uint64_t PHYS_LIMIT = 1ull << 52;

std::uint32_t read_u32(const std::uint8_t* p) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = v << 8 | p[i];
    return v;
}
std::uint64_t read_u64(const std::uint8_t* p) {
    return std::uint64_t{read_u32(p + 4)} << 32 | read_u32(p);
}

MemoryRegionKind kind_of(std::uint32_t type) {
    switch (type) {
        case 1: return MemoryRegionKind::Usable;
        case 3: return MemoryRegionKind::AcpiReclaimable;
        case 4: return MemoryRegionKind::AcpiNvs;
        case 5: return MemoryRegionKind::BadMemory;
        default: return MemoryRegionKind::Reserved;
    }
}

}  // namespace

const char* describe(ParseError error) {
    switch (error) {
        case ParseError::BadMagic: return "not started by a multiboot2 boot loader";
        case ParseError::BadTotalSize: return "the boot information's total size is implausible";
        case ParseError::TagOutOfBounds: return "a boot information tag runs past its end";
        case ParseError::NoMemoryMap: return "the boot information has no memory map";
        case ParseError::TooManyRegions:
            return "the memory map has more regions than the kernel keeps";
    }
    return "unknown error";
}

Result<BootInfo, ParseError> BootInfo::parse(const std::uint8_t* info, memory::PhysAddr info_phys,
                                             memory::VirtAddr physical_memory_offset,
                                             PhysRange kernel) {
    const std::uint32_t total_size = read_u32(info);
    if (total_size < 16 || total_size > (1u << 20))
        return Err<ParseError>{ParseError::BadTotalSize};

    BootInfo result;
    result.kernel_ = kernel;
    result.boot_info_ = PhysRange{info_phys, info_phys + total_size};
    result.physical_memory_offset_ = physical_memory_offset;

    bool have_map = false;
    std::size_t offset = 8;  // total_size, reserved
    while (true) {
        if (offset + 8 > total_size) return Err<ParseError>{ParseError::TagOutOfBounds};
        const std::uint8_t* tag = info + offset;
        const std::uint32_t type = read_u32(tag);
        const std::uint32_t size = read_u32(tag + 4);
        if (size < 8 || offset + size > total_size)
            return Err<ParseError>{ParseError::TagOutOfBounds};
        if (type == TAG_END) break;
        if (type == TAG_MEMORY_MAP) {
            have_map = true;
            if (size < 16)
                return Err<ParseError>{
                    ParseError::TagOutOfBounds};  // type, size, entry_size, version
            const std::uint32_t entry_size = read_u32(tag + 8);
            if (entry_size < 24) return Err<ParseError>{ParseError::TagOutOfBounds};
            for (std::size_t e = 16; e + entry_size <= size; e += entry_size) {
                const std::uint64_t base = read_u64(tag + e);
                const std::uint64_t length = read_u64(tag + e + 8);
                // A region at or past the address limit holds nothing the CPU can address, and one
                // that reaches past it is cut there (masking both ends instead once gave a region
                // that ended before it started: found by the boot_info fuzz target).
                if (length == 0 || base >= PHYS_LIMIT - 1) continue;
                if (result.region_count_ == MAX_REGIONS)
                    return Err<ParseError>{ParseError::TooManyRegions};
                const std::uint64_t end =
                    length > PHYS_LIMIT - 1 - base ? PHYS_LIMIT - 1 : base + length;
                result.regions_[result.region_count_++] =
                    MemoryRegion{PhysRange{memory::PhysAddr(base), memory::PhysAddr(end)},
                                 kind_of(read_u32(tag + e + 16))};
            }
        }
        offset += (size + TAG_ALIGN - 1) & ~(TAG_ALIGN - 1);
    }
    if (!have_map) return Err<ParseError>{ParseError::NoMemoryMap};

    // Sort by start address (insertion sort: a handful of regions).
    for (std::size_t i = 1; i < result.region_count_; ++i) {
        const MemoryRegion r = result.regions_[i];
        std::size_t j = i;
        for (; j > 0 && r.range.start < result.regions_[j - 1].range.start; --j)
            result.regions_[j] = result.regions_[j - 1];
        result.regions_[j] = r;
    }
    return result;
}

std::uint64_t BootInfo::usable_bytes() const {
    std::uint64_t total = 0;
    for (const auto& r : memory_regions())
        if (r.kind == MemoryRegionKind::Usable)
            total += r.range.end.as_u64() - r.range.start.as_u64();
    return total;
}

void format_value(fmt::Sink& sink, MemoryRegionKind kind, const fmt::Spec& spec) {
    const char* names[] = {"usable", "reserved", "ACPI reclaimable", "ACPI NVS", "bad memory"};
    const char* name = names[static_cast<std::size_t>(kind)];
    std::size_t length = 0;
    while (name[length] != '\0') ++length;
    fmt::write_padded(sink, name, length, spec, '<');
}

}  // namespace boot_info
