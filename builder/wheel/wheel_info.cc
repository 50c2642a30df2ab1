#include "builder/wheel/wheel_info.h"

#include <optional>
#include <string>

#include "builder/python/ascii_text.h"
#include "builder/util/quote.h"
#include "builder/util/utf8.h"

namespace ignite::wheel {
namespace {

// Digits only, without overflow: Wheel-Version numbers are tiny.
std::optional<int> small_number(std::string_view s) {
  if (s.empty() || s.size() > 6) return std::nullopt;
  int n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

Status set_version(WheelInfo& info, std::string_view value) {
  const std::size_t dot = value.find('.');
  auto major = small_number(value.substr(0, dot));
  auto minor =
      dot == std::string_view::npos ? std::optional<int>(0) : small_number(value.substr(dot + 1));
  if (!major || !minor) {
    return invalid_argument("Wheel-Version " + quote_text(value) + " is not MAJOR.MINOR");
  }
  if (*major != 1) {
    return invalid_argument("Wheel-Version " + std::string(value) +
                            " is not supported (only 1.x is)");
  }
  info.major = *major;
  info.minor = *minor;
  return ok_status();
}

}  // namespace

Result<WheelInfo> parse_wheel_info(std::string_view text) {
  if (auto bad = find_invalid_utf8(text)) {
    return invalid_argument("not valid UTF-8 (at byte " + std::to_string(*bad) + ")");
  }
  WheelInfo info;
  std::optional<std::string> version;
  std::optional<std::string> purelib;
  std::string* last = nullptr;  // the value a continuation line extends
  std::size_t line_no = 0;
  std::string ignored;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) break;  // the end of the headers
    if (line.front() == ' ' || line.front() == '\t') {
      if (last == nullptr) {
        return invalid_argument("line " + std::to_string(line_no) +
                                " continues a header that is not there");
      }
      *last += ' ';
      *last += python::trim_blanks(line);
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return invalid_argument("line " + std::to_string(line_no) +
                              " is not \"Key: value\": " + quote_text(line));
    }
    const std::string key = python::ascii_lower(python::trim_blanks(line.substr(0, colon)));
    std::optional<std::string>* slot = key == "wheel-version"     ? &version
                                       : key == "root-is-purelib" ? &purelib
                                                                  : nullptr;
    if (slot == nullptr) {
      ignored = std::string(python::trim_blanks(line.substr(colon + 1)));
      last = &ignored;
      continue;
    }
    if (slot->has_value()) {
      return invalid_argument(std::string(python::trim_blanks(line.substr(0, colon))) + " appears twice");
    }
    *slot = std::string(python::trim_blanks(line.substr(colon + 1)));
    last = &**slot;
  }
  if (!version) return invalid_argument("no Wheel-Version");
  IGNITE_RETURN_IF_ERROR(set_version(info, *version));
  if (!purelib) return invalid_argument("no Root-Is-Purelib");
  const std::string p = python::ascii_lower(*purelib);
  if (p != "true" && p != "false") {
    return invalid_argument("Root-Is-Purelib " + quote_text(*purelib) +
                            " is neither true nor false");
  }
  info.root_is_purelib = p == "true";
  return info;
}

}  // namespace ignite::wheel
