// What the boot loader tells the kernel, read from the multiboot2 boot information
// (multiboot2 specification, 3.6 "Boot information format"): the physical memory map, plus
// what the kernel knows about itself -- where it and the boot information lie, and the offset at
// which the boot shim mapped all physical memory.
#pragma once

#include "format.h"
#include "memory/address.h"
#include "result.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace boot_info {

enum class MemoryRegionKind : std::uint8_t {
    Usable,
    Reserved,
    AcpiReclaimable,
    AcpiNvs,
    BadMemory
};

// [start, end) of physical memory.
struct PhysRange {
    memory::PhysAddr start;
    memory::PhysAddr end;
    constexpr bool contains(memory::PhysAddr a) const { return start <= a && a < end; }
    constexpr bool overlaps(PhysRange other) const {
        return start < other.end && other.start < end;
    }
};

struct MemoryRegion {
    PhysRange range;
    MemoryRegionKind kind;
};

enum class ParseError : std::uint8_t {
    BadMagic,        // the shim was not started by a multiboot2 loader
    BadTotalSize,    // the header's size is implausible
    TagOutOfBounds,  // a tag runs past the end of the information
    NoMemoryMap,     // no memory map tag (type 6)
    TooManyRegions,  // more regions than MAX_REGIONS
};
const char* describe(ParseError error);

class BootInfo {
public:
    static constexpr std::size_t MAX_REGIONS = 64;

    // `info` points at the boot information through the offset mapping; `info_phys` is its
    // physical address (what GRUB passed in EBX). Regions come out sorted by start address.
    static Result<BootInfo, ParseError> parse(const std::uint8_t* info, memory::PhysAddr info_phys,
                                              memory::VirtAddr physical_memory_offset,
                                              PhysRange kernel);

    std::span<const MemoryRegion> memory_regions() const { return {regions_, region_count_}; }
    PhysRange kernel() const { return kernel_; }
    PhysRange boot_info() const { return boot_info_; }
    memory::VirtAddr physical_memory_offset() const { return physical_memory_offset_; }
    std::uint64_t usable_bytes() const;

private:
    MemoryRegion regions_[MAX_REGIONS]{};
    std::size_t region_count_ = 0;
    PhysRange kernel_{};
    PhysRange boot_info_{};
    memory::VirtAddr physical_memory_offset_{};
};

void format_value(fmt::Sink& sink, MemoryRegionKind kind, const fmt::Spec& spec);

}  // namespace boot_info
