// The canonical pylock.toml writer (pylock.h). Every choice here is part of the lock's
// identity: changing the order, spacing or quoting changes every lockHash, so such a
// change needs a new entry in docs/lock.md.
#include <algorithm>

#include "builder/index/pylock.h"
#include "builder/index/toml_quote.h"

namespace ignite::index {
namespace {

std::string string_array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out += (i ? ", " : "") + toml::quote(items[i]);
  }
  return out + "]";
}

std::string wheel_table(const LockedWheel& w) {
  std::string out = "{ name = " + toml::quote(w.name);
  if (!w.url.empty()) {
    out += ", url = " + toml::quote(w.url);
  } else {
    out += ", path = " + toml::quote(w.path);
  }
  out += ", hashes = { sha256 = " + toml::quote(w.sha256) + " } }";
  return out;
}

}  // namespace

std::string write_pylock(const Lock& lock) {
  std::string out;
  out += "lock-version = " + toml::quote(kLockVersion) + "\n";
  out += "environments = " + string_array(lock.environments) + "\n";
  if (lock.requires_python) out += "requires-python = " + toml::quote(*lock.requires_python) + "\n";
  out += "created-by = " + toml::quote(lock.created_by) + "\n";

  std::vector<const LockedPackage*> packages;
  for (const auto& p : lock.packages) packages.push_back(&p);
  std::stable_sort(packages.begin(), packages.end(),
                   [](const LockedPackage* a, const LockedPackage* b) {
                     return a->name != b->name ? a->name < b->name : a->version < b->version;
                   });
  for (const LockedPackage* p : packages) {
    out += "\n[[packages]]\n";
    out += "name = " + toml::quote(p->name) + "\n";
    out += "version = " + toml::quote(p->version) + "\n";
    if (p->marker) out += "marker = " + toml::quote(*p->marker) + "\n";
    if (p->requires_python) out += "requires-python = " + toml::quote(*p->requires_python) + "\n";
    if (!p->index.empty()) out += "index = " + toml::quote(p->index) + "\n";
    out += "wheels = [";
    for (std::size_t i = 0; i < p->wheels.size(); ++i)
      out += (i ? ", " : "") + wheel_table(p->wheels[i]);
    out += "]\n";
    std::vector<std::string> why = p->required_by;
    std::sort(why.begin(), why.end());
    why.erase(std::unique(why.begin(), why.end()), why.end());
    if (!why.empty()) {
      out += "\n[packages.tool.ignite]\n";
      out += "required-by = " + string_array(why) + "\n";
    }
  }
  return out;
}

std::string environment_marker(const python::Environment& env) {
  std::string out;
  for (const char* key :
       {"implementation_name", "python_full_version", "sys_platform", "platform_machine"}) {
    auto value = env.get(key);
    if (!value) continue;
    if (!out.empty()) out += " and ";
    out += std::string(key) + " == '" + std::string(*value) + "'";
  }
  return out;
}

}  // namespace ignite::index
