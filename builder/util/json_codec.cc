#include "builder/util/json_codec.h"

#include "builder/util/quote.h"

namespace ignite {
namespace {

std::string field(std::string_view what, std::string_view key) {
  return std::string(what) + ": field \"" + std::string(key) + "\"";
}

const Json* find(const Json& obj, std::string_view key) {
  auto it = obj.find(std::string(key));
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

}  // namespace

Result<std::string> canonical_json(const Json& value) {
  try {
    return value.dump();
  } catch (const Json::exception& e) {
    return invalid_argument(std::string("writing JSON: ") + e.what());
  }
}

std::string canonical_json_lossy(const Json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

Result<Json> parse_json_object(std::string_view bytes, std::string_view what) {
  Json v = Json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded()) return invalid_argument(std::string(what) + ": not valid JSON");
  if (!v.is_object()) return invalid_argument(std::string(what) + ": not a JSON object");
  return v;
}

Result<std::string> json_string(const Json& obj, std::string_view key, std::string_view what) {
  const Json* v = find(obj, key);
  if (v == nullptr) return invalid_argument(field(what, key) + " is missing");
  if (!v->is_string()) return invalid_argument(field(what, key) + " is not a string");
  return v->get<std::string>();
}

Result<std::string> json_optional_string(const Json& obj, std::string_view key,
                                         std::string_view what) {
  if (find(obj, key) == nullptr) return std::string();
  return json_string(obj, key, what);
}

Result<std::int64_t> json_int(const Json& obj, std::string_view key, std::string_view what) {
  const Json* v = find(obj, key);
  if (v == nullptr) return invalid_argument(field(what, key) + " is missing");
  if (v->is_number_unsigned()) {
    auto u = v->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) {
      return invalid_argument(field(what, key) + " is too large");
    }
    return static_cast<std::int64_t>(u);
  }
  if (!v->is_number_integer()) return invalid_argument(field(what, key) + " is not an integer");
  return v->get<std::int64_t>();
}

Status json_expect_string(const Json& obj, std::string_view key, std::string_view wanted,
                          std::string_view what) {
  IGNITE_ASSIGN_OR_RETURN(std::string value, json_string(obj, key, what));
  if (value != wanted) {
    return invalid_argument(field(what, key) + " is " + quote_text(value) + ", not " +
                            std::string(wanted));
  }
  return ok_status();
}

Result<const Json*> json_object(const Json& obj, std::string_view key, std::string_view what) {
  const Json* v = find(obj, key);
  if (v == nullptr) return invalid_argument(field(what, key) + " is missing");
  if (!v->is_object()) return invalid_argument(field(what, key) + " is not an object");
  return v;
}

Result<const Json*> json_array(const Json& obj, std::string_view key, std::string_view what) {
  const Json* v = find(obj, key);
  if (v == nullptr) return invalid_argument(field(what, key) + " is missing");
  if (!v->is_array()) return invalid_argument(field(what, key) + " is not an array");
  return v;
}

Result<std::vector<std::string>> json_optional_strings(const Json& obj, std::string_view key,
                                                       std::string_view what) {
  std::vector<std::string> out;
  const Json* v = find(obj, key);
  if (v == nullptr) return out;
  if (!v->is_array()) return invalid_argument(field(what, key) + " is not an array");
  for (const auto& item : *v) {
    if (!item.is_string()) return invalid_argument(field(what, key) + " holds a non-string");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> json_optional_string_map(const Json& obj,
                                                                    std::string_view key,
                                                                    std::string_view what) {
  std::map<std::string, std::string> out;
  const Json* v = find(obj, key);
  if (v == nullptr) return out;
  if (!v->is_object()) return invalid_argument(field(what, key) + " is not an object");
  for (const auto& [k, item] : v->items()) {
    if (!item.is_string()) {
      return invalid_argument(field(what, key) + ": \"" + k + "\" is not a string");
    }
    out.emplace(k, item.get<std::string>());
  }
  return out;
}

}  // namespace ignite
