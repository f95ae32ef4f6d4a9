// On the host a panic becomes a C++ exception, so a test can assert that a broken invariant is
// caught (EXPECT_THROW) instead of the test binary stopping.

#include "panic.h"

#include <stdexcept>
#include <string>

namespace {

class StringSink final : public fmt::Sink {
public:
    void write(const char* text, std::size_t length) override { out.append(text, length); }
    std::string out;
};

}  // namespace

[[noreturn]] void panic_handler(const PanicInfo& info) {
    StringSink sink;
    info.print(sink);
    throw std::runtime_error(sink.out);
}
