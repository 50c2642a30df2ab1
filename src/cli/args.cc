#include "src/cli/args.h"

#include "builder/util/utf8.h"

namespace ignite::cli {

Result<Args> Args::parse(const std::vector<std::string>& argv, const std::vector<FlagSpec>& specs) {
  Args out;
  bool only_positional = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (only_positional || a.size() < 2 || a[0] != '-') {
      out.positional_.push_back(a);
      continue;
    }
    if (a == "--") {
      only_positional = true;
      continue;
    }
    std::string name = a;
    std::optional<std::string> inline_value;
    if (auto eq = a.find('='); a.starts_with("--") && eq != std::string::npos) {
      name = a.substr(0, eq);
      inline_value = a.substr(eq + 1);
    }
    const FlagSpec* spec = nullptr;
    for (const auto& s : specs) {
      if (s.name == name || (!s.short_name.empty() && s.short_name == name)) spec = &s;
    }
    if (spec == nullptr) return invalid_argument("unknown option " + name);
    if (!spec->takes_value) {
      if (inline_value) return invalid_argument("option " + spec->name + " takes no value");
      out.values_[spec->name] = "";
      continue;
    }
    if (inline_value) {
      out.values_[spec->name] = *inline_value;
    } else if (i + 1 < argv.size()) {
      out.values_[spec->name] = argv[++i];
    } else {
      return invalid_argument("option " + name + " needs a value");
    }
  }
  return out;
}

Status check_utf8_arguments(const std::vector<std::string>& argv) {
  for (std::size_t i = 1; i < argv.size(); ++i) {
    if (auto bad = find_invalid_utf8(argv[i])) {
      return invalid_argument("argument " + std::to_string(i) +
                              " is not valid UTF-8 (at byte offset " + std::to_string(*bad) +
                              "); ignite-builder takes UTF-8 paths and references");
    }
  }
  return ok_status();
}

std::optional<std::string> Args::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::value_or(const std::string& name, const std::string& fallback) const {
  return value(name).value_or(fallback);
}

Result<long> Args::number_or(const std::string& name, long min, long max, long fallback,
                             std::string_view unit) const {
  auto text = value(name);
  if (!text) return fallback;
  char* end = nullptr;
  const long v = std::strtol(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || v < min || v > max) {
    return invalid_argument(name + " takes " + std::string(unit) + " from " + std::to_string(min) +
                            " to " + std::to_string(max) + ", not \"" + *text + "\"");
  }
  return v;
}

}  // namespace ignite::cli
