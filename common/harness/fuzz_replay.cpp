// A stand-in for libFuzzer's main, for compilers without libFuzzer (g++): runs a fuzz target's
// LLVMFuzzerTestOneInput once on each input named on the command line, a directory meaning every
// regular file in it (in name order). Options that start with '-' (libFuzzer's -runs=0) are
// ignored, so CTest calls both kinds of build the same way. It does not fuzz; it replays a corpus,
// under the sanitizers the target was built with, so that every seed and every fixed crash input
// keeps being checked. Exit status 0 when every input ran, 1 when one could not be read (a
// sanitizer report aborts the program by itself).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool run_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "fuzz_replay: cannot read %s\n", path.c_str());
        return false;
    }
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in),
                                  std::istreambuf_iterator<char>()};
    // A copy of exactly the input's size, so AddressSanitizer sees any read past its end.
    std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(data.data(), data.size());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t runs = 0;
    bool ok = true;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.starts_with("-")) continue;
        const std::filesystem::path path(arg);
        std::error_code error;
        if (std::filesystem::is_directory(path, error)) {
            std::vector<std::filesystem::path> files;
            for (const auto& entry : std::filesystem::directory_iterator(path)) {
                if (entry.is_regular_file()) files.push_back(entry.path());
            }
            std::sort(files.begin(), files.end());
            for (const auto& file : files) {
                ok = run_file(file) && ok;
                ++runs;
            }
        } else {
            ok = run_file(path) && ok;
            ++runs;
        }
    }
    std::printf("fuzz_replay: ran %zu inputs\n", runs);
    if (runs == 0) {
        std::fprintf(stderr, "fuzz_replay: no inputs (an empty corpus checks nothing)\n");
        return 1;
    }
    return ok ? 0 : 1;
}
