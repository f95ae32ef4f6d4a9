#include "format.h"

namespace fmt {

namespace {

std::size_t length_of(const char* text) {
    std::size_t n = 0;
    while (text[n] != '\0') ++n;
    return n;
}

void fill(Sink& sink, char c, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) sink.put(c);
}

unsigned base_of(char type) {
    switch (type) {
        case 'x':
        case 'X':
        case 'p': return 16;
        case 'b': return 2;
        case 'o': return 8;
        default: return 10;
    }
}

}  // namespace

void Sink::puts(const char* text) { write(text, length_of(text)); }

void write_padded(Sink& sink, const char* text, std::size_t length, const Spec& spec,
                  char default_align) {
    const std::size_t padding = spec.width > length ? spec.width - length : 0;
    const char align = spec.align != 0 ? spec.align : default_align;
    if (align == '>') fill(sink, spec.fill, padding);
    sink.write(text, length);
    if (align != '>') fill(sink, spec.fill, padding);
}

// Writes a magnitude with its sign, base prefix and padding. 64 binary digits plus sign and
// prefix fit in the buffer.
void write_unsigned(Sink& sink, std::uint64_t value, bool negative, const Spec& spec) {
    const unsigned base = base_of(spec.type);
    const char* digits = spec.type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    char buffer[64];
    std::size_t n = 0;
    do {
        buffer[sizeof buffer - ++n] = digits[value % base];
        value /= base;
    } while (value != 0);

    char prefix[3] = {};
    std::size_t prefix_length = 0;
    if (negative) prefix[prefix_length++] = '-';
    if (spec.alternate || spec.type == 'p') {
        const char mark = base == 16 ? 'x' : base == 2 ? 'b' : base == 8 ? 'o' : 0;
        if (mark != 0) {
            prefix[prefix_length++] = '0';
            prefix[prefix_length++] = mark;
        }
    }
    const std::size_t length = prefix_length + n;
    const std::size_t padding = spec.width > length ? spec.width - length : 0;
    if (spec.zero_pad && spec.align == 0) {
        sink.write(prefix, prefix_length);
        fill(sink, '0', padding);
        sink.write(buffer + sizeof buffer - n, n);
        return;
    }
    const char align = spec.align != 0 ? spec.align : '>';
    if (align == '>') fill(sink, spec.fill, padding);
    sink.write(prefix, prefix_length);
    sink.write(buffer + sizeof buffer - n, n);
    if (align != '>') fill(sink, spec.fill, padding);
}

namespace {

void format_arg(Sink& sink, const Arg& arg, const Spec& spec) {
    switch (arg.kind) {
        case Kind::Bool:
            if (arg.boolean) write_padded(sink, "true", 4, spec, '<');
            else write_padded(sink, "false", 5, spec, '<');
            break;
        case Kind::Char: write_padded(sink, &arg.character, 1, spec, '<'); break;
        case Kind::String: {
            const char* s = arg.string != nullptr ? arg.string : "(null)";
            write_padded(sink, s, length_of(s), spec, '<');
            break;
        }
        case Kind::Signed: {
            const bool negative = arg.signed_value < 0;
            // Negating in unsigned arithmetic is defined for INT64_MIN as well.
            const std::uint64_t magnitude = negative
                                                ? 0 - static_cast<std::uint64_t>(arg.signed_value)
                                                : static_cast<std::uint64_t>(arg.signed_value);
            write_unsigned(sink, magnitude, negative, spec);
            break;
        }
        case Kind::Unsigned: write_unsigned(sink, arg.unsigned_value, false, spec); break;
        case Kind::Pointer: {
            Spec pointer_spec = spec;
            pointer_spec.type = 'p';
            write_unsigned(sink, reinterpret_cast<std::uintptr_t>(arg.pointer), false,
                           pointer_spec);
            break;
        }
        case Kind::Custom: arg.custom.format(sink, arg.custom.object, spec); break;
    }
}

}  // namespace

void vformat(Sink& sink, const char* text, const Arg* args, std::size_t count) {
    std::size_t next = 0;
    const char* run = text;  // start of the literal text not yet written
    const char* p = text;
    while (*p != '\0') {
        if ((*p == '{' && p[1] == '{') || (*p == '}' && p[1] == '}')) {
            sink.write(run, static_cast<std::size_t>(p - run) + 1);
            p += 2;
            run = p;
            continue;
        }
        if (*p != '{') {
            ++p;
            continue;
        }
        sink.write(run, static_cast<std::size_t>(p - run));
        ++p;
        Spec spec{};
        if (*p == ':') p = detail::parse_spec(p + 1, spec);
        // check_format guarantees a well-formed placeholder and an argument for it; text that
        // did not pass it (a malformed placeholder, one argument too few) ends the output here,
        // and never reads past its end.
        if (p == nullptr || *p != '}' || next >= count) return;
        format_arg(sink, args[next++], spec);
        run = ++p;
    }
    sink.write(run, static_cast<std::size_t>(p - run));
}

}  // namespace fmt
