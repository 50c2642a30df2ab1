// The target environment that markers are evaluated against: the values of the marker
// variables (python_version, sys_platform, ...) for the interpreter that will run the
// image, never for the machine that builds it.
//
// The default target (docs/python-packaging.md, "The default target environment") is the
// image's interpreter: Debian bookworm's CPython 3.11.2 on Linux x86_64 (glibc 2.36):
//
//   implementation_name             cpython
//   implementation_version          3.11.2
//   os_name                         posix
//   platform_machine                x86_64
//   platform_release                6.1.0-28-amd64
//   platform_system                 Linux
//   platform_version                #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)
//   python_full_version             3.11.2
//   platform_python_implementation  CPython
//   python_version                  3.11
//   sys_platform                    linux
//
// platform_release and platform_version describe the kernel the container runs on, which
// the image cannot know; the values are those of bookworm's own kernel, and markers that
// test them are rare. Like packaging's Environment this is an open map: any key may be set
// (packaging even looks up the right-hand string of `"a" == "b"` as a key), and the
// set-valued keys `extras` and `dependency_groups` hold sets of names.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>

namespace ignite::python {

class Environment {
 public:
  using Value = std::variant<std::string, std::set<std::string>>;

  // The image's interpreter, as in the table above.
  static Environment target_default();
  // No values at all (for tests and for building an environment from scratch).
  static Environment empty() { return Environment(); }

  // Sets a string value, e.g. set("python_full_version", "3.11.4").
  void set(std::string key, std::string value);
  // Sets a set-valued key (extras, dependency_groups).
  void set_names(std::string key, std::set<std::string> names);
  void erase(std::string_view key);

  const Value* find(std::string_view key) const;
  // The string value, or nullopt when absent or set-valued.
  std::optional<std::string_view> get(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != nullptr; }

  const std::map<std::string, Value, std::less<>>& values() const { return values_; }

 private:
  Environment() = default;
  std::map<std::string, Value, std::less<>> values_;
};

}  // namespace ignite::python
