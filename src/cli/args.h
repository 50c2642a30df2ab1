// A small command-line parser: long flags (--name VALUE, --name=VALUE), short aliases,
// boolean switches and positionals. Errors are usage errors (exit status 2).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/util/status.h"

namespace ignite::cli {

struct FlagSpec {
  std::string name;        // "--output"
  std::string short_name;  // "-o", or empty
  bool takes_value = false;
};

class Args {
 public:
  static Result<Args> parse(const std::vector<std::string>& argv,
                            const std::vector<FlagSpec>& specs);

  const std::vector<std::string>& positional() const { return positional_; }
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> value(const std::string& name) const;
  std::string value_or(const std::string& name, const std::string& fallback) const;
  // The flag's value as a whole number from `min` to `max`, `fallback` when it is not given;
  // INVALID_ARGUMENT "NAME takes UNIT from MIN to MAX, not "VALUE"" otherwise (`unit` as the
  // message says it: "a number", "seconds").
  Result<long> number_or(const std::string& name, long min, long max, long fallback,
                         std::string_view unit = "a number") const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::string> values_;
};

// Refuses a command line with an argument that is not valid UTF-8, before it becomes a path, a
// reference or a field of JSON output (which cannot carry it). `argv` is the whole command line
// and argument N is argv[N], as a shell numbers them ($1 is the command); argv[0] is not checked.
// The message names the argument by number and never echoes its bytes.
Status check_utf8_arguments(const std::vector<std::string>& argv);

}  // namespace ignite::cli
