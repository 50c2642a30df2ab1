#include "builder/python/environment.h"

#include <utility>

namespace ignite::python {

Environment Environment::target_default() {
  Environment env;
  env.set("implementation_name", "cpython");
  env.set("implementation_version", "3.11.2");
  env.set("os_name", "posix");
  env.set("platform_machine", "x86_64");
  env.set("platform_release", "6.1.0-28-amd64");
  env.set("platform_system", "Linux");
  env.set("platform_version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)");
  env.set("python_full_version", "3.11.2");
  env.set("platform_python_implementation", "CPython");
  env.set("python_version", "3.11");
  env.set("sys_platform", "linux");
  return env;
}

void Environment::set(std::string key, std::string value) {
  values_.insert_or_assign(std::move(key), Value(std::move(value)));
}

void Environment::set_names(std::string key, std::set<std::string> names) {
  values_.insert_or_assign(std::move(key), Value(std::move(names)));
}

void Environment::erase(std::string_view key) {
  if (auto it = values_.find(key); it != values_.end()) values_.erase(it);
}

const Environment::Value* Environment::find(std::string_view key) const {
  auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

std::optional<std::string_view> Environment::get(std::string_view key) const {
  const Value* v = find(key);
  if (v == nullptr) return std::nullopt;
  if (const auto* s = std::get_if<std::string>(v)) return std::string_view(*s);
  return std::nullopt;
}

}  // namespace ignite::python
