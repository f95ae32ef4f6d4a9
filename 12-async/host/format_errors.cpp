// Format strings that must not compile. The build defines FORMAT_ERROR_CASE; each case must be
// rejected with the named error (see CMakeLists.txt), and case 0 must compile.

#include "format.h"

void format_errors(fmt::Sink& s);
void format_errors(fmt::Sink& s) {
#if FORMAT_ERROR_CASE == 0
    fmt::format_to(s, "{} {:x} {:>4} {{}}", 1, 2u, "ok");
#elif FORMAT_ERROR_CASE == 1
    fmt::format_to(s, "{} {}", 1);  // too few arguments
#elif FORMAT_ERROR_CASE == 2
    fmt::format_to(s, "{}", 1, 2);  // too many arguments
#elif FORMAT_ERROR_CASE == 3
    fmt::format_to(s, "{:x}", "text");  // hexadecimal string
#elif FORMAT_ERROR_CASE == 4
    fmt::format_to(s, "{", 1);  // unmatched brace
#elif FORMAT_ERROR_CASE == 5
    fmt::format_to(s, "{:5q!}", 1);  // malformed options
#endif
}
