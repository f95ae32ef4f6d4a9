#include "panic.h"

#include "cpu.h"
#include "vga_buffer.h"

void PanicInfo::print(fmt::Sink& sink) const {
    fmt::format_to(sink, "PANIC at {}:{}:{}: ", location.file, location.line, location.column);
    fmt::vformat(sink, format, args, count);
}

[[noreturn]] void panic_args(const fmt::SourceLocation& location, const char* format,
                             const fmt::Arg* args, std::size_t count) {
    panic_handler(PanicInfo{location, format, args, count});
}

[[noreturn]] void show_panic_and_halt(const PanicInfo& info) {
    // The panic may come from code that holds the writer's lock; waiting for it would never
    // end. In that case write through a writer of our own: nothing else runs after a panic.
    auto guard = vga::WRITER.try_lock();
    vga::Writer fallback{vga::screen(), vga::ColorCode(vga::Color::Yellow, vga::Color::Black)};
    vga::Writer& writer = guard ? **guard : fallback;

    writer.set_color(vga::ColorCode(vga::Color::LightRed, vga::Color::Black));
    if (writer.column() != 0) writer.put('\n');
    info.print(writer);
    writer.put('\n');
    cpu::halt_forever();
}
