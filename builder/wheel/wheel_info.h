// The WHEEL file of a .dist-info: "Key: value" lines in the email header format.
//
//   Wheel-Version: 1.0
//   Generator: bdist_wheel (0.42.0)
//   Root-Is-Purelib: true
//   Tag: py3-none-any
#pragma once

#include <string_view>

#include "builder/util/status.h"

namespace ignite::wheel {

struct WheelInfo {
  int major = 1;
  int minor = 0;
  bool root_is_purelib = true;
};

// Keys are matched without regard to case; continuation lines (leading space or tab) are
// joined; parsing stops at the first blank line. INVALID_ARGUMENT when the text is not UTF-8,
// a line is neither "Key: value" nor a continuation, Wheel-Version or Root-Is-Purelib is
// missing, repeated or malformed, or the major version is not 1 (a later major may change the
// layout; a later minor only warns in pip and is accepted here).
Result<WheelInfo> parse_wheel_info(std::string_view text);

}  // namespace ignite::wheel
