#include "memory/mapper.h"

namespace memory {

const char* describe(MapToError error) {
    switch (error) {
        case MapToError::FrameAllocationFailed: return "no frame left for a page table";
        case MapToError::ParentEntryHugePage: return "the address lies in a huge page";
        case MapToError::PageAlreadyMapped: return "the page is already mapped";
    }
    return "unknown error";
}

const char* describe(UnmapError error) {
    switch (error) {
        case UnmapError::PageNotMapped: return "the page is not mapped";
        case UnmapError::ParentEntryHugePage: return "the address lies in a huge page";
    }
    return "unknown error";
}

std::optional<Translation> OffsetPageTable::translate(VirtAddr address) const {
    // LAB(translate): walk the four levels; stop at a huge page or a missing entry
    // STUB: (void)address;
    // STUB: panic("lab translate: not written yet");
    const PageTableEntry& l4 = (*level_4_)[address.p4_index()];
    if (!l4.flags().contains(PageTableFlags::PRESENT)) return std::nullopt;

    const PageTableEntry& l3 = (*table_at(l4.address()))[address.p3_index()];
    if (!l3.flags().contains(PageTableFlags::PRESENT)) return std::nullopt;
    if (l3.flags().contains(PageTableFlags::HUGE_PAGE)) {
        const auto frame = PhysFrame<Size1GiB>::containing_address(l3.address());
        return Translation{frame.start_address() + (address.as_u64() & (Size1GiB::SIZE - 1)),
                           Size1GiB::SIZE, l3.flags()};
    }

    const PageTableEntry& l2 = (*table_at(l3.address()))[address.p2_index()];
    if (!l2.flags().contains(PageTableFlags::PRESENT)) return std::nullopt;
    if (l2.flags().contains(PageTableFlags::HUGE_PAGE)) {
        const auto frame = PhysFrame<Size2MiB>::containing_address(l2.address());
        return Translation{frame.start_address() + (address.as_u64() & (Size2MiB::SIZE - 1)),
                           Size2MiB::SIZE, l2.flags()};
    }

    const PageTableEntry& l1 = (*table_at(l2.address()))[address.p1_index()];
    if (!l1.flags().contains(PageTableFlags::PRESENT)) return std::nullopt;
    return Translation{l1.address() + address.page_offset(), Size4KiB::SIZE, l1.flags()};
    // END LAB(translate)
}

std::optional<PhysAddr> OffsetPageTable::translate_addr(VirtAddr address) const {
    const auto t = translate(address);
    return t ? std::optional(t->address) : std::nullopt;
}

namespace {

// LAB(map-to): a helper of yours, if you like: the table below an entry, made if missing
// The table an entry points to, creating (and zeroing) it if the entry is unused.
Result<PageTable*, MapToError> next_table_create(PageTableEntry& entry, PageTableFlags parent_flags,
                                                 VirtAddr offset, FrameAllocator& allocator) {
    if (entry.is_unused()) {
        const auto frame = allocator.allocate_frame();
        if (!frame) return Err<MapToError>{MapToError::FrameAllocationFailed};
        entry.set(frame->start_address(), parent_flags);
        auto* table =
            reinterpret_cast<PageTable*>(offset.as_u64() + frame->start_address().as_u64());
        table->zero();
        return table;
    }
    if (entry.flags().contains(PageTableFlags::HUGE_PAGE))
        return Err<MapToError>{MapToError::ParentEntryHugePage};
    // An existing table may need more rights for the new page (the leaf still restricts).
    entry.set_flags(entry.flags() | parent_flags);
    return reinterpret_cast<PageTable*>(offset.as_u64() + entry.address().as_u64());
}
// END LAB(map-to)

}  // namespace

Result<MapperFlush, MapToError> OffsetPageTable::map_to(Page<> page, PhysFrame<> frame,
                                                        PageTableFlags flags,
                                                        FrameAllocator& allocator) {
    // LAB(map-to): create the missing tables, then set the level 1 entry
    // STUB: (void)page, (void)frame, (void)flags, (void)allocator;
    // STUB: panic("lab map-to: not written yet");
    const VirtAddr address = page.start_address();
    // Intermediate entries allow whatever the leaf allows; the leaf entry decides.
    const PageTableFlags parent_flags = PageTableFlags::PRESENT | PageTableFlags::WRITABLE |
                                        (flags & PageTableFlags::USER_ACCESSIBLE);

    auto l3 = next_table_create((*level_4_)[address.p4_index()], parent_flags, offset_, allocator);
    if (l3.is_err()) return Err<MapToError>{l3.error()};
    auto l2 =
        next_table_create((*l3.value())[address.p3_index()], parent_flags, offset_, allocator);
    if (l2.is_err()) return Err<MapToError>{l2.error()};
    auto l1 =
        next_table_create((*l2.value())[address.p2_index()], parent_flags, offset_, allocator);
    if (l1.is_err()) return Err<MapToError>{l1.error()};

    PageTableEntry& entry = (*l1.value())[address.p1_index()];
    if (!entry.is_unused()) return Err<MapToError>{MapToError::PageAlreadyMapped};
    entry.set(frame.start_address(), (flags | PageTableFlags::PRESENT) & supported_);
    return MapperFlush(address);
    // END LAB(map-to)
}

Result<Unmapped, UnmapError> OffsetPageTable::unmap(Page<> page) {
    const VirtAddr address = page.start_address();
    PageTable* table = level_4_;
    const PageTableIndex indices[] = {address.p4_index(), address.p3_index(), address.p2_index()};
    for (const PageTableIndex index : indices) {
        const PageTableEntry& entry = (*table)[index];
        if (!entry.flags().contains(PageTableFlags::PRESENT))
            return Err<UnmapError>{UnmapError::PageNotMapped};
        if (entry.flags().contains(PageTableFlags::HUGE_PAGE))
            return Err<UnmapError>{UnmapError::ParentEntryHugePage};
        table = table_at(entry.address());
    }
    PageTableEntry& leaf = (*table)[address.p1_index()];
    if (!leaf.flags().contains(PageTableFlags::PRESENT))
        return Err<UnmapError>{UnmapError::PageNotMapped};
    const auto frame = PhysFrame<>::from_start_address(leaf.address());
    leaf.set_unused();
    return Unmapped{frame, MapperFlush(address)};
}

}  // namespace memory
