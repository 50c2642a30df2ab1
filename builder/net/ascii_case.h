// Internal to builder/net: ASCII case folding for what HTTP and URLs compare without case
// (header names, media types, schemes, host names). Locale-free on purpose.
#pragma once

#include <string>
#include <string_view>

namespace ignite::net {

inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace ignite::net
