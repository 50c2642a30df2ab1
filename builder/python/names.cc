#include "builder/python/names.h"

#include "builder/python/ascii_text.h"
#include "builder/python/unicode_text.h"

namespace ignite::python {

std::string canonicalize_name(std::string_view name) {
  std::string lower = unicode_lower(name);
  std::string out;
  out.reserve(lower.size());
  for (char c : lower) {
    bool sep = c == '-' || c == '_' || c == '.';
    if (!sep) {
      out += c;
    } else if (out.empty() || out.back() != '-') {
      out += '-';
    }
  }
  return out;
}

Status validate_project_name(std::string_view name) {
  auto fail = [&](std::string why) {
    return invalid_argument("invalid project name " + quote_text(name) + ": " + why);
  };
  if (name.empty()) return fail("it is empty");
  for (char c : name) {
    if (!is_ascii_alnum(c) && c != '.' && c != '_' && c != '-') {
      return fail("only ASCII letters, digits, '.', '_' and '-' are allowed, not " +
                  quote_text(std::string_view(&c, 1)));
    }
  }
  if (!is_ascii_alnum(name.front()) || !is_ascii_alnum(name.back())) {
    return fail("it must start and end with a letter or digit");
  }
  return ok_status();
}

Result<std::string> canonicalize_valid_name(std::string_view name) {
  IGNITE_RETURN_IF_ERROR(validate_project_name(name));
  return canonicalize_name(name);
}

bool is_normalized_name(std::string_view name) {
  if (name.empty() || name.front() == '-' || name.back() == '-') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '-') {
      if (name[i + 1] == '-') return false;  // i + 1 < size: the name does not end in '-'
    } else if (!is_ascii_digit(c) && !is_ascii_lower(c)) {
      return false;
    }
  }
  return true;
}

}  // namespace ignite::python
