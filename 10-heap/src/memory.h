// The kernel's view of memory: the boot information, the page tables (through the offset
// mapping) and the frame allocator, set up once by memory::init.
#pragma once

#include "boot_info.h"
#include "memory/frame_allocator.h"
#include "memory/mapper.h"
#include "spinlock.h"

#include <cstdint>
#include <optional>
#include <utility>

namespace memory {

// Parses the multiboot2 information at physical address `multiboot_info` and sets up the
// mapper over the active level 4 table and the frame allocator. Panics if the boot information
// cannot be read. Must be called once, before mapper() or frame_allocator().
void init(PhysAddr multiboot_info);

// One of the module's singletons, locked for as long as the handle lives (with interrupts off,
// see spinlock.h). Take it for one statement, as in memory::mapper()->translate(address), or
// name it for a few. Taking the same one twice in one scope would spin forever.
template <typename T>
class Locked {
public:
    explicit Locked(typename Spinlock<std::optional<T>>::Guard guard) : guard_(std::move(guard)) {}
    T& operator*() const { return **guard_; }
    T* operator->() const { return &**guard_; }

private:
    typename Spinlock<std::optional<T>>::Guard guard_;
};

const boot_info::BootInfo& boot_information();
// The page tables and the frames to extend them with. Mapping a page takes both:
// memory::mapper()->map_to(page, frame, flags, *memory::frame_allocator()).
Locked<OffsetPageTable> mapper();
Locked<BootInfoFrameAllocator> frame_allocator();

// The level 4 table CR3 points to, reached through the offset mapping.
PageTable* active_level_4_table(VirtAddr physical_memory_offset);

// The virtual address through which physical address p can be read and written.
inline VirtAddr phys_to_virt(PhysAddr p, VirtAddr physical_memory_offset) {
    return VirtAddr(physical_memory_offset.as_u64() + p.as_u64());
}

}  // namespace memory
