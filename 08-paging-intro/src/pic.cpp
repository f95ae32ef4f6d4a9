#include "pic.h"

#include "panic.h"

namespace pic {

namespace {

// LAB(pic-remap): the command words ICW1 to ICW4 (8259A data sheet)
// Initialization command words (8259A data sheet, "Initialization Command Words").
constexpr std::uint8_t ICW1_INIT = 0x10;
constexpr std::uint8_t ICW1_ICW4_NEEDED = 0x01;
constexpr std::uint8_t ICW3_SECONDARY_ON_IRQ2 = 1u << 2;  // primary: bit mask of the cascade line
constexpr std::uint8_t ICW3_CASCADE_IDENTITY = 2;  // secondary: its line number on the primary
constexpr std::uint8_t ICW4_8086_MODE = 0x01;
// END LAB(pic-remap)
constexpr std::uint8_t OCW2_END_OF_INTERRUPT = 0x20;

// LAB(pic-remap): the masks to load, and a pause between command words
// Only timer, keyboard and cascade unmasked.
constexpr std::uint8_t PRIMARY_MASK = 0b1111'1000;
constexpr std::uint8_t SECONDARY_MASK = 0b1111'1111;

// Old PICs need a moment between command words; a write to the unused port 0x80 (the POST
// diagnostic port) takes about a microsecond and has no other effect.
void io_wait() { port::Port<std::uint8_t, port::WriteOnly>(0x80).write(0); }
// END LAB(pic-remap)

}  // namespace

constinit Spinlock<ChainedPics> PICS{ChainedPics{PIC_1_OFFSET, PIC_2_OFFSET}};

void Pic::end_of_interrupt() const { command_.write(OCW2_END_OF_INTERRUPT); }
std::uint8_t Pic::read_mask() const { return data_.read(); }
void Pic::write_mask(std::uint8_t mask) const { data_.write(mask); }

void ChainedPics::initialize() {
    // LAB(pic-remap): ICW1 to ICW4 to both PICs, then the masks
    // STUB: panic("lab pic-remap: not written yet");
    // ICW1: start the initialization sequence, ICW4 will follow.
    primary_.command_.write(ICW1_INIT | ICW1_ICW4_NEEDED);
    io_wait();
    secondary_.command_.write(ICW1_INIT | ICW1_ICW4_NEEDED);
    io_wait();
    // ICW2: the vector of each controller's first line.
    primary_.data_.write(primary_.offset_);
    io_wait();
    secondary_.data_.write(secondary_.offset_);
    io_wait();
    // ICW3: how the two are chained.
    primary_.data_.write(ICW3_SECONDARY_ON_IRQ2);
    io_wait();
    secondary_.data_.write(ICW3_CASCADE_IDENTITY);
    io_wait();
    // ICW4: 8086 mode.
    primary_.data_.write(ICW4_8086_MODE);
    io_wait();
    secondary_.data_.write(ICW4_8086_MODE);
    io_wait();

    primary_.write_mask(PRIMARY_MASK);
    secondary_.write_mask(SECONDARY_MASK);
    // END LAB(pic-remap)
}

void ChainedPics::notify_end_of_interrupt(std::uint8_t vector) {
    // LAB(pic-remap): end of interrupt: the secondary PIC first when it raised it
    // STUB: (void)vector;
    // STUB: panic("lab pic-remap: not written yet");
    if (!handles(vector)) return;
    if (secondary_.handles(vector)) secondary_.end_of_interrupt();
    primary_.end_of_interrupt();
    // END LAB(pic-remap)
}

void ChainedPics::set_masked(std::uint8_t irq, bool masked) {
    const Pic& pic = irq < 8 ? primary_ : secondary_;
    const auto bit = static_cast<std::uint8_t>(1u << (irq % 8));
    const std::uint8_t mask = pic.read_mask();
    pic.write_mask(masked ? static_cast<std::uint8_t>(mask | bit)
                          : static_cast<std::uint8_t>(mask & ~bit));
}

}  // namespace pic
