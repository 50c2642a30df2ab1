// A small TOML 1.0 reader and the string quoting the lock writer needs. The reader takes
// whole documents: tables, arrays of tables, dotted and quoted keys, inline tables,
// arrays, every string form, integers (decimal, hex, octal, binary), floats, booleans.
// Dates and times are kept as their text (the lock has no use for them beyond checking
// they are well formed enough to skip).
//
// Errors are INVALID_ARGUMENT "line L, column C: <reason>"; a key defined twice and a
// table opened twice are errors, as TOML requires.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "builder/util/status.h"

namespace ignite::index::toml {

struct Value;
using Array = std::vector<Value>;

struct Table {
  std::map<std::string, Value> entries;  // keys sorted bytewise
  bool is_inline = false;                // an inline table: closed once written
  bool is_explicit = false;         // opened by a [header] (a second header for it is an error)
  bool is_implicit_dotted = false;  // made by a dotted key: no [header] may reopen it

  const Value* find(std::string_view key) const;
};

struct Datetime {
  std::string text;
};

struct Value {
  enum class Kind { kString, kInteger, kFloat, kBoolean, kDatetime, kArray, kTable };
  std::variant<std::string, std::int64_t, double, bool, Datetime, std::unique_ptr<Array>,
               std::unique_ptr<Table>>
      v;
  bool is_table_array = false;  // an array made by [[header]]s

  Kind kind() const { return static_cast<Kind>(v.index()); }
  const std::string* string() const { return std::get_if<std::string>(&v); }
  const std::int64_t* integer() const { return std::get_if<std::int64_t>(&v); }
  const bool* boolean() const { return std::get_if<bool>(&v); }
  const Array* array() const;
  const Table* table() const;
  Array* array();
  Table* table();
};

// "string", "integer", ... for messages.
std::string_view kind_name(Value::Kind kind);

Result<Table> parse(std::string_view text);

// A TOML basic string: "..." with \" \\ \b \t \n \f \r escaped and other control
// characters as \uXXXX. The one spelling the lock writer uses for every string.
std::string quote(std::string_view text);

}  // namespace ignite::index::toml
