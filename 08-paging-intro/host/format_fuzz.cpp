// Fuzz target: the formatter's run-time half (fmt::vformat) on any byte string as the format
// text, with arguments of every kind. Format strings in the kernel are checked at compile time,
// but vformat must not read or write out of bounds whatever it is given: a malformed string ends
// the output, it never crashes. Run by `./workbook fuzz`; CTest replays host/fuzz/format/.
//
// Input: byte 0 picks the kinds of four arguments (two bits each), the rest is the text.

#include "format.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

// A broken promise: say which, then abort (libFuzzer keeps the input as a crash-* file).
[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "format_fuzz: %s\n", what);
    std::abort();
}

// Counts what it is given, and checks each write is a real range.
class CountingSink final : public fmt::Sink {
public:
    void write(const char* text, std::size_t length) override {
        for (std::size_t i = 0; i < length; ++i) checksum += static_cast<unsigned char>(text[i]);
        total += length;
    }
    std::size_t total = 0;
    unsigned checksum = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::uint8_t kinds = data[0];
    // The text as its own allocation of exactly its length plus the NUL, so AddressSanitizer
    // reports any read past the terminator.
    std::vector<char> text(data + 1, data + size);
    text.push_back('\0');

    static const char* const strings[] = {"", "text", "a longer string argument"};
    static int object = 0;
    fmt::Arg args[4];
    for (int i = 0; i < 4; ++i) {
        switch ((kinds >> (2 * i)) & 3) {
            case 0:
                args[i] = fmt::make_arg(static_cast<std::int64_t>(-1234567890123LL * (i + 1)));
                break;
            case 1: args[i] = fmt::make_arg(static_cast<std::uint64_t>(~0ull >> i)); break;
            case 2: args[i] = fmt::make_arg(strings[i % 3]); break;
            default:
                args[i] =
                    i % 2 ? fmt::make_arg('c') : fmt::make_arg(static_cast<const void*>(&object));
                break;
        }
    }
    CountingSink sink;
    fmt::vformat(sink, text.data(), args, 4);
    // Each placeholder writes at most 255 padding characters plus its value; the literal text
    // at most once: a bound that catches a runaway loop writing past what the input can ask for.
    if (sink.total > (text.size() + 1) * 300) fail("more output than the text can ask for");
    return 0;
}
