// Handing out physical frames: to create page tables and to back new mappings.
#pragma once

#include "boot_info.h"
#include "memory/paging.h"

#include <cstddef>
#include <optional>

namespace memory {

class FrameAllocator {
public:
    // A frame nobody else uses, or nothing when memory is exhausted.
    virtual std::optional<PhysFrame<>> allocate_frame() = 0;

protected:
    ~FrameAllocator() = default;
};

// Frames from the usable regions of the boot memory map, in address order, never the same
// twice, and never one of the reserved ranges: the first MiB (BIOS data, the VGA buffer, ROMs),
// the kernel image (which includes the boot page tables and stacks) and the boot information.
// Frames are not returned; this allocator only ever moves forward.
class BootInfoFrameAllocator final : public FrameAllocator {
public:
    static constexpr PhysAddr LOW_MEMORY_END{1ull << 20};

    // `limit`: frames at or above it are never handed out (the end of the offset mapping, so
    // every frame can be reached through it).
    BootInfoFrameAllocator(const boot_info::BootInfo& info, PhysAddr limit);

    std::optional<PhysFrame<>> allocate_frame() override;
    std::size_t allocated() const { return allocated_; }
    // Whether a frame lies in one of the ranges this allocator must never hand out.
    bool is_reserved(PhysFrame<> frame) const;

private:
    boot_info::BootInfo info_;
    PhysAddr limit_;
    std::size_t region_ = 0;  // index of the region the cursor is in
    PhysAddr next_{};         // the lowest address not yet considered
    std::size_t allocated_ = 0;
};

}  // namespace memory
