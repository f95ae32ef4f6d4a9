#include "memory/frame_allocator.h"

namespace memory {

BootInfoFrameAllocator::BootInfoFrameAllocator(const boot_info::BootInfo& info, PhysAddr limit)
    : info_(info), limit_(limit) {}

bool BootInfoFrameAllocator::is_reserved(PhysFrame<> frame) const {
    const boot_info::PhysRange range{frame.start_address(), frame.start_address() + PAGE_SIZE};
    return range.overlaps({PhysAddr(0), LOW_MEMORY_END}) || range.overlaps(info_.kernel()) ||
           range.overlaps(info_.boot_info());
}

std::optional<PhysFrame<>> BootInfoFrameAllocator::allocate_frame() {
    const auto regions = info_.memory_regions();
    for (; region_ < regions.size(); ++region_) {
        const auto& region = regions[region_];
        if (region.kind != boot_info::MemoryRegionKind::Usable) continue;
        PhysAddr candidate =
            (next_ < region.range.start ? region.range.start : next_).align_up(PAGE_SIZE);
        while (candidate + PAGE_SIZE <= region.range.end && candidate + PAGE_SIZE <= limit_) {
            const auto frame = PhysFrame<>::from_start_address(candidate);
            candidate = candidate + PAGE_SIZE;
            if (is_reserved(frame)) continue;
            next_ = candidate;
            ++allocated_;
            return frame;
        }
        next_ = region.range.end;
    }
    return std::nullopt;
}

}  // namespace memory
