// What the task code printed through task::print/println during a host test (console_host.cpp).
#pragma once

#include <string>

namespace console_capture {

// Everything printed since the last take(); clears it.
std::string take();

}  // namespace console_capture
