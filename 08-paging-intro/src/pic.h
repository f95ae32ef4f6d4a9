// The two 8259 programmable interrupt controllers of the PC, chained: the secondary's output
// feeds input 2 of the primary, giving 15 usable IRQ lines.
//
// Out of reset the primary delivers IRQ 0..7 on vectors 8..15, which in protected mode are CPU
// exceptions (a timer tick would look like a double fault). init() remaps both to vectors
// 32..47, right after the exceptions.
#pragma once

#include "port.h"
#include "spinlock.h"

#include <cstdint>

namespace pic {

inline constexpr std::uint8_t PIC_1_OFFSET = 32;
inline constexpr std::uint8_t PIC_2_OFFSET = PIC_1_OFFSET + 8;

class Pic {
public:
    constexpr Pic(std::uint8_t offset, std::uint16_t command, std::uint16_t data)
        : offset_(offset), command_(command), data_(data) {}

    constexpr std::uint8_t offset() const { return offset_; }
    constexpr bool handles(std::uint8_t vector) const {
        return offset_ <= vector && vector < offset_ + 8;
    }
    void end_of_interrupt() const;
    std::uint8_t read_mask() const;
    void write_mask(std::uint8_t mask) const;

private:
    friend class ChainedPics;
    std::uint8_t offset_;
    port::Port<std::uint8_t, port::WriteOnly> command_;
    port::Port<std::uint8_t> data_;
};

class ChainedPics {
public:
    constexpr ChainedPics(std::uint8_t offset_1, std::uint8_t offset_2)
        : primary_(offset_1, 0x20, 0x21), secondary_(offset_2, 0xa0, 0xa1) {}

    // Programs both controllers (initialization command words 1-4) and sets the masks so that
    // only the timer (IRQ 0), the keyboard (IRQ 1) and the cascade (IRQ 2) are delivered.
    void initialize();

    bool handles(std::uint8_t vector) const {
        return primary_.handles(vector) || secondary_.handles(vector);
    }

    // Tells the controllers that the handler for `vector` is done, so they deliver the next
    // interrupt of that priority. An IRQ of the secondary went through both controllers, so
    // both are told, the secondary first.
    void notify_end_of_interrupt(std::uint8_t vector);

    // IRQ line 0..15 on or off.
    void set_masked(std::uint8_t irq, bool masked);

private:
    Pic primary_;
    Pic secondary_;
};

extern constinit Spinlock<ChainedPics> PICS;

}  // namespace pic
