#include "builder/verify/json_difference.h"

#include <algorithm>

namespace ignite::verify {
namespace {

constexpr std::size_t kShownBytes = 200;

std::string shown(const nlohmann::json& value) {
  std::string text = value.dump();
  if (text.size() > kShownBytes) text = text.substr(0, kShownBytes) + "…";
  return text;
}

std::string key_path(const std::string& parent, const std::string& key) {
  // A key that is a plain name reads as .name; any other (a label such as
  // "dev.ignite.code-hash") is quoted.
  const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  return plain ? parent + "." + key : parent + "[" + nlohmann::json(key).dump() + "]";
}

}  // namespace

std::optional<std::string> first_json_difference(const nlohmann::json& expected,
                                                 const nlohmann::json& actual,
                                                 const std::string& root) {
  if (expected == actual) return std::nullopt;
  if (expected.is_object() && actual.is_object()) {
    // nlohmann's object is a std::map: both walk their keys in sorted order.
    auto e = expected.begin();
    auto a = actual.begin();
    while (e != expected.end() || a != actual.end()) {
      if (a == actual.end() || (e != expected.end() && e.key() < a.key())) {
        return key_path(root, e.key()) + ": " + shown(e.value()) + " != absent";
      }
      if (e == expected.end() || a.key() < e.key()) {
        return key_path(root, a.key()) + ": absent != " + shown(a.value());
      }
      if (auto d = first_json_difference(e.value(), a.value(), key_path(root, e.key()))) return d;
      ++e;
      ++a;
    }
  }
  if (expected.is_array() && actual.is_array()) {
    const std::size_t n = std::min(expected.size(), actual.size());
    for (std::size_t i = 0; i < n; ++i) {
      const std::string path = root + "[" + std::to_string(i) + "]";
      if (auto d = first_json_difference(expected[i], actual[i], path)) return d;
    }
    if (expected.size() != actual.size()) {
      return root + ": " + std::to_string(expected.size()) +
             " elements != " + std::to_string(actual.size());
    }
  }
  return root + ": " + shown(expected) + " != " + shown(actual);
}

}  // namespace ignite::verify
