// Reading and changing the page tables through the offset mapping: every physical frame p is
// reachable at virtual address physical_memory_offset + p (set up by the boot shim), so a table
// the CPU knows by its physical address can be read and written like any object.
#pragma once

#include "memory/frame_allocator.h"
#include "memory/paging.h"
#include "result.h"

#include <cstdint>
#include <optional>

namespace memory {

// A changed mapping is not seen by the CPU until its TLB entry is flushed. map_to and unmap
// return one of these so that the caller cannot forget: it must call flush() (or, where the
// page was never used, say so with ignore()).
class [[nodiscard]] MapperFlush {
public:
    explicit MapperFlush(VirtAddr page) : page_(page) {}
    // invlpg (Intel SDM Vol. 3A, 4.10.4.1): drops the TLB entry for one page.
    void flush() const { asm volatile("invlpg (%0)" : : "r"(page_.as_u64()) : "memory"); }
    void ignore() const {}
    VirtAddr page() const { return page_; }

private:
    VirtAddr page_;
};

enum class MapToError : std::uint8_t {
    FrameAllocationFailed,  // no frame for a new intermediate table
    ParentEntryHugePage,    // a huge page already covers the address
    PageAlreadyMapped,      // the page is mapped; unmap it first
};
enum class UnmapError : std::uint8_t { PageNotMapped, ParentEntryHugePage };
const char* describe(MapToError error);
const char* describe(UnmapError error);

// Where a virtual address leads: the physical address, the size of the page it lies in
// (4 KiB, 2 MiB or 1 GiB) and the flags of the entry that mapped it.
struct Translation {
    PhysAddr address;
    std::uint64_t page_size;
    PageTableFlags flags;
};

struct Unmapped {
    PhysFrame<> frame;
    MapperFlush flush;
};

class OffsetPageTable {
public:
    // Precondition: level_4_table is the active (or a complete) level 4 table, reached through
    // the offset mapping, and every frame its entries name is reachable through the offset.
    // `supported`: the flags this CPU accepts in an entry; map_to leaves out the others. On a CPU
    // without no-execute, a caller's NO_EXECUTE is dropped and the page stays executable: the most
    // that CPU can do, where bit 63 would make the entry fault.
    OffsetPageTable(PageTable* level_4_table, VirtAddr physical_memory_offset,
                    PageTableFlags supported = PageTableFlags::ALL)
        : level_4_(level_4_table), offset_(physical_memory_offset), supported_(supported) {}

    // Walks the four levels by hand, stopping early at 1 GiB and 2 MiB pages.
    std::optional<Translation> translate(VirtAddr address) const;
    std::optional<PhysAddr> translate_addr(VirtAddr address) const;

    // Maps a 4 KiB page to a frame, creating the intermediate tables it needs with frames from
    // `allocator`. Refuses to replace an existing mapping.
    Result<MapperFlush, MapToError> map_to(Page<> page, PhysFrame<> frame, PageTableFlags flags,
                                           FrameAllocator& allocator);
    // Removes a 4 KiB page's mapping and returns the frame it led to.
    Result<Unmapped, UnmapError> unmap(Page<> page);

    VirtAddr physical_memory_offset() const { return offset_; }

private:
    PageTable* table_at(PhysAddr address) const {
        return reinterpret_cast<PageTable*>(offset_.as_u64() + address.as_u64());
    }

    PageTable* level_4_;
    VirtAddr offset_;
    PageTableFlags supported_;
};

}  // namespace memory
