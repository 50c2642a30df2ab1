#include "builder/index/toml.h"

namespace ignite::index::toml {

const Value* Table::find(std::string_view key) const {
  auto it = entries.find(std::string(key));
  return it == entries.end() ? nullptr : &it->second;
}

const Array* Value::array() const {
  auto* p = std::get_if<std::unique_ptr<Array>>(&v);
  return p ? p->get() : nullptr;
}
const Table* Value::table() const {
  auto* p = std::get_if<std::unique_ptr<Table>>(&v);
  return p ? p->get() : nullptr;
}
Array* Value::array() {
  auto* p = std::get_if<std::unique_ptr<Array>>(&v);
  return p ? p->get() : nullptr;
}
Table* Value::table() {
  auto* p = std::get_if<std::unique_ptr<Table>>(&v);
  return p ? p->get() : nullptr;
}

std::string_view kind_name(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kInteger:
      return "integer";
    case Value::Kind::kFloat:
      return "float";
    case Value::Kind::kBoolean:
      return "boolean";
    case Value::Kind::kDatetime:
      return "datetime";
    case Value::Kind::kArray:
      return "array";
    case Value::Kind::kTable:
      return "table";
  }
  return "value";
}

std::string quote(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace ignite::index::toml
