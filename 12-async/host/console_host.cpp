// The host tests' definition of the console the task code prints to: a recording.

#include "console_capture.h"
#include "task/console.h"

#include <mutex>
#include <string>
#include <utility>

namespace {

class StringSink final : public fmt::Sink {
public:
    explicit StringSink(std::string& out) : out_(out) {}
    void write(const char* text, std::size_t length) override { out_.append(text, length); }

private:
    std::string& out_;
};

std::mutex mutex;  // the ArrayQueue stress tests print from several threads
std::string recorded;

}  // namespace

void task::console_print_args(const char* format, const fmt::Arg* args, std::size_t count,
                              bool newline) {
    const std::lock_guard<std::mutex> lock(mutex);
    StringSink sink(recorded);
    fmt::vformat(sink, format, args, count);
    if (newline) sink.put('\n');
}

std::string console_capture::take() {
    const std::lock_guard<std::mutex> lock(mutex);
    return std::exchange(recorded, {});
}
