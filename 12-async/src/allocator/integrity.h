// The answer of an allocator's integrity checker: either "all invariants hold" or the first one
// found broken, with the address where it broke.
//
// Every allocator has a check_integrity() that walks its own bookkeeping (hhuOS calls it
// checkIntegrity). Tests call it after every step, so a corrupted free list is reported at the
// step that corrupted it instead of much later as a mysterious crash. The checker only reads:
// it never repairs anything and never allocates.
#pragma once

#include <cstdint>

namespace allocator {

class [[nodiscard]] Integrity {
public:
    static constexpr Integrity holds() { return Integrity{nullptr, 0}; }

    // `reason` names the broken invariant; it must be a string literal (it is kept, not copied).
    static constexpr Integrity broken(const char* reason, std::uintptr_t address) {
        return Integrity{reason, address};
    }

    [[nodiscard]] constexpr bool ok() const { return reason_ == nullptr; }
    [[nodiscard]] constexpr const char* reason() const { return ok() ? "ok" : reason_; }
    // Where the broken invariant was found (a region or block address); 0 when ok().
    [[nodiscard]] constexpr std::uintptr_t address() const { return address_; }

private:
    constexpr Integrity(const char* reason, std::uintptr_t address)
        : reason_(reason), address_(address) {}

    const char* reason_;
    std::uintptr_t address_;
};

}  // namespace allocator
