// For host tests that expect a panic to end the program (GoogleTest's EXPECT_DEATH): the
// message goes to stderr, then abort. (paging_test uses panic_host.cpp, which throws instead.)

#include "panic.h"

#include <cstdio>
#include <cstdlib>

namespace {

class StderrSink final : public fmt::Sink {
public:
    void write(const char* text, std::size_t length) override {
        std::fwrite(text, 1, length, stderr);
    }
};

}  // namespace

[[noreturn]] void panic_handler(const PanicInfo& info) {
    StderrSink sink;
    info.print(sink);
    sink.put('\n');
    std::fflush(stderr);
    std::abort();
}
