// The kernel's view of memory: the boot information, the page tables (through the offset
// mapping) and the frame allocator, set up once by memory::init.
#pragma once

#include "boot_info.h"
#include "memory/frame_allocator.h"
#include "memory/mapper.h"

#include <cstdint>

namespace memory {

// Parses the multiboot2 information at physical address `multiboot_info_phys` and sets up the
// mapper over the active level 4 table and the frame allocator. Panics if the boot information
// cannot be read. Must be called once, before mapper() or frame_allocator().
void init(std::uint64_t multiboot_info_phys);

const boot_info::BootInfo& boot_information();
OffsetPageTable& mapper();
BootInfoFrameAllocator& frame_allocator();

// The level 4 table CR3 points to, reached through the offset mapping.
PageTable* active_level_4_table(std::uint64_t physical_memory_offset);

// The virtual address through which physical address p can be read and written.
inline VirtAddr phys_to_virt(PhysAddr p, std::uint64_t physical_memory_offset) {
    return VirtAddr(physical_memory_offset + p.as_u64());
}

}  // namespace memory
