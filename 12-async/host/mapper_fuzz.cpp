// Fuzz target: the page-table mapper (OffsetPageTable) driven by map, unmap and translate
// sequences the fuzzer picks, checked against a model of what is mapped. Physical memory is an
// aligned array of 64 frames (frame 0 holds the level 4 table; tables come from the rest), so
// the offset mapping is the array's address, as in the host tests. Every four bytes are one
// operation; the page is picked from a few indices per level, so that operations meet in the
// same tables:
//   - map (kind 0, 1): succeeds exactly when the page is not mapped and the frames for new
//     tables last; then the page translates to its frame with PRESENT and the asked flags;
//   - unmap (kind 2): succeeds exactly when the page is mapped, returns the frame it was mapped
//     to, and the page no longer translates;
//   - translate (kind 3) any canonical address: what the model says, or nothing.
// At the end every page of the model translates as recorded. Run by `./workbook fuzz`; CTest
// replays host/fuzz/mapper/.

#include "memory/frame_allocator.h"
#include "memory/mapper.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

namespace {

using namespace memory;

constexpr std::size_t FRAMES = 64;

// A broken promise: say which, then abort (libFuzzer keeps the input as a crash-* file).
[[noreturn]] void fail(const char* what, std::uint64_t address) {
    std::fprintf(stderr, "mapper_fuzz: %s (address %#llx)\n", what,
                 static_cast<unsigned long long>(address));
    std::abort();
}

// Frames 1, 2, 3, ... of the fake memory, until they run out.
class SequentialFrames final : public FrameAllocator {
public:
    std::optional<PhysFrame<>> allocate_frame() override {
        if (next_ >= FRAMES) return std::nullopt;
        return PhysFrame<>::from_start_address(PhysAddr(next_++ * PAGE_SIZE));
    }
    bool exhausted() const { return next_ >= FRAMES; }

private:
    std::size_t next_ = 1;
};

struct Mapping {
    std::uint64_t frame;
    PageTableFlags flags;
};

// A page from four small index choices: level 4 {0, 1, 256, 511}, level 3 and 2 {0, 1, 2, 511},
// level 1 any of 0..63.
VirtAddr page_address(std::uint8_t b, std::uint8_t c) {
    static constexpr std::uint64_t l4[] = {0, 1, 256, 511};
    static constexpr std::uint64_t l32[] = {0, 1, 2, 511};
    const std::uint64_t address = l4[b & 3] << 39 | l32[(b >> 2) & 3] << 30 |
                                  l32[(b >> 4) & 3] << 21 | std::uint64_t{c & 63u} << 12;
    return VirtAddr::truncate(address);
}

void check_translation(const OffsetPageTable& mapper, const std::map<std::uint64_t, Mapping>& model,
                       VirtAddr address) {
    const auto page = address.as_u64() & ~(PAGE_SIZE - 1);
    const auto found = model.find(page);
    const auto t = mapper.translate(address);
    if (found == model.end()) {
        if (t.has_value()) fail("an unmapped address translates", address.as_u64());
        return;
    }
    if (!t.has_value()) fail("a mapped address does not translate", address.as_u64());
    if (t->address.as_u64() != found->second.frame + (address.as_u64() & (PAGE_SIZE - 1)))
        fail("an address translates to the wrong physical address", address.as_u64());
    if (t->page_size != PAGE_SIZE)
        fail("a 4 KiB mapping translates as a huge page", address.as_u64());
    if (!t->flags.contains(PageTableFlags::PRESENT | found->second.flags))
        fail("a mapping lost flags it was made with", address.as_u64());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    alignas(4096) static std::uint8_t memory[FRAMES * PAGE_SIZE];
    // Only the level 4 table must start empty: map_to zeroes every table it creates. (Clearing
    // all 64 frames each run cost most of the time.) The rest keeps the last run's bytes, so a
    // table map_to forgot to zero would show up as stray mappings.
    std::memset(memory, 0, PAGE_SIZE);
    OffsetPageTable mapper(reinterpret_cast<PageTable*>(memory),
                           VirtAddr(reinterpret_cast<std::uint64_t>(memory)));
    SequentialFrames frames;
    std::map<std::uint64_t, Mapping> model;

    for (std::size_t i = 0; i + 4 <= size; i += 4) {
        const std::uint8_t a = data[i], b = data[i + 1], c = data[i + 2], d = data[i + 3];
        const VirtAddr address = page_address(b, c);
        const auto page = Page<>::containing_address(address);
        switch (a & 3) {
            case 0:
            case 1: {
                const std::uint64_t frame = (std::uint64_t{d} << 8 | c) * PAGE_SIZE + 0x1'0000'0000;
                const PageTableFlags none{};
                const PageTableFlags flags = (a & 4 ? PageTableFlags::WRITABLE : none) |
                                             (a & 8 ? PageTableFlags::USER_ACCESSIBLE : none) |
                                             (a & 16 ? PageTableFlags::NO_EXECUTE : none);
                auto result = mapper.map_to(page, PhysFrame<>::from_start_address(PhysAddr(frame)),
                                            flags, frames);
                const bool mapped = model.contains(address.as_u64());
                if (result.is_ok()) {
                    result.value().ignore();  // host memory: there is no TLB entry to drop
                    if (mapped) fail("map_to replaced an existing mapping", address.as_u64());
                    model[address.as_u64()] = Mapping{frame, flags};
                } else if (result.error() == MapToError::PageAlreadyMapped) {
                    if (!mapped) fail("map_to says an unmapped page is mapped", address.as_u64());
                } else if (result.error() == MapToError::FrameAllocationFailed) {
                    if (!frames.exhausted())
                        fail("map_to ran out of frames while some were left", address.as_u64());
                } else {
                    fail("map_to found a huge page where none was made", address.as_u64());
                }
                break;
            }
            case 2: {
                auto result = mapper.unmap(page);
                const auto found = model.find(address.as_u64());
                if (result.is_ok()) {
                    result.value().flush.ignore();
                    if (found == model.end())
                        fail("unmap removed a page that was not mapped", address.as_u64());
                    if (result.value().frame.start_address().as_u64() != found->second.frame)
                        fail("unmap returned the wrong frame", address.as_u64());
                    model.erase(found);
                } else if (result.error() == UnmapError::PageNotMapped) {
                    if (found != model.end())
                        fail("unmap says a mapped page is not mapped", address.as_u64());
                } else {
                    fail("unmap found a huge page where none was made", address.as_u64());
                }
                break;
            }
            default: {
                // Any canonical address: 48 bits from the four bytes and the page's indices.
                const std::uint64_t raw = address.as_u64() | std::uint64_t{d} << 4 | (a >> 2);
                check_translation(mapper, model, VirtAddr::truncate(raw));
                break;
            }
        }
        check_translation(mapper, model, address);
    }
    for (const auto& [page, mapping] : model) check_translation(mapper, model, VirtAddr(page));
    return 0;
}
