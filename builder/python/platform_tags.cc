#include "builder/python/platform_tags.h"

#include <algorithm>

namespace ignite::python {
namespace {

std::string nodot(const std::vector<int>& version, std::size_t parts) {
  std::string out;
  for (std::size_t i = 0; i < parts && i < version.size(); ++i) out += std::to_string(version[i]);
  return out;
}

// Free-threaded CPython: its first ABI is "cp<digits>" followed by flags holding 't'.
bool is_threaded_cpython(const std::vector<std::string>& abis) {
  if (abis.empty() || !abis[0].starts_with("cp")) return false;
  std::string_view rest = std::string_view(abis[0]).substr(2);
  std::size_t digits = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
  if (digits == 0) return false;
  return rest.substr(digits).find('t') != std::string_view::npos;
}

bool at_least_3_2(const std::vector<int>& v) {
  return v.size() > 1 && (v[0] > 3 || (v[0] == 3 && v[1] >= 2));
}

// py<XY>, py<X>, then py<X(Y-1)> down to py<X0>.
std::vector<std::string> py_interpreter_range(const std::vector<int>& v) {
  std::vector<std::string> out;
  if (v.empty()) return out;
  if (v.size() > 1) out.push_back("py" + nodot(v, 2));
  out.push_back("py" + std::to_string(v[0]));
  if (v.size() > 1) {
    for (int minor = v[1] - 1; minor >= 0; --minor) {
      out.push_back("py" + std::to_string(v[0]) + std::to_string(minor));
    }
  }
  return out;
}

void append_all(std::vector<Tag>& out, std::string_view interpreter, std::string_view abi,
                const std::vector<std::string>& platforms) {
  for (const std::string& p : platforms) out.push_back(Tag::make(interpreter, abi, p));
}

}  // namespace

std::string PythonTarget::interpreter() const {
  return "cp" + std::to_string(python_major) + std::to_string(python_minor);
}

std::vector<std::string> manylinux_platforms(int glibc_major, int glibc_minor,
                                             std::string_view arch) {
  static constexpr std::string_view kAllowed[] = {
      "x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x", "loongarch64", "riscv64"};
  std::vector<std::string> out;
  if (std::find(std::begin(kAllowed), std::end(kAllowed), arch) == std::end(kAllowed)) {
    return out;
  }
  // The oldest glibc manylinux supports: 2.17, or 2.5 on x86 (manylinux1's baseline).
  bool x86 = arch == "x86_64" || arch == "i686";
  int oldest_minor = x86 ? 5 : 17;
  // glibc keeps compatibility across major versions; packaging assumes 50 minors for a
  // finished major series (only ever relevant once glibc 3 exists).
  constexpr int kLastMinorOfOldMajor = 50;
  for (int major = glibc_major; major >= 2; --major) {
    int top = major == glibc_major ? glibc_minor : kLastMinorOfOldMajor;
    int bottom = major == 2 ? oldest_minor : 0;
    for (int minor = top; minor >= bottom; --minor) {
      std::string suffix = "_" + std::string(arch);
      out.push_back("manylinux_" + std::to_string(major) + "_" + std::to_string(minor) + suffix);
      if (major == 2 && minor == 17) out.push_back("manylinux2014" + suffix);
      if (major == 2 && minor == 12) out.push_back("manylinux2010" + suffix);
      if (major == 2 && minor == 5) out.push_back("manylinux1" + suffix);
    }
  }
  return out;
}

std::vector<std::string> linux_platforms(const PythonTarget& target) {
  std::vector<std::string> out;
  std::string native = "linux_" + target.arch;
  if (target.linux_order == LinuxTagOrder::kLinuxFirst) out.push_back(native);
  for (std::string& p : manylinux_platforms(target.glibc_major, target.glibc_minor, target.arch)) {
    out.push_back(std::move(p));
  }
  if (target.linux_order == LinuxTagOrder::kManylinuxFirst) out.push_back(native);
  return out;
}

std::vector<Tag> cpython_tags(const std::vector<int>& python_version,
                              const std::optional<std::vector<std::string>>& abis_in,
                              const std::vector<std::string>& platforms) {
  std::vector<Tag> out;
  if (python_version.empty()) return out;
  std::string interpreter = "cp" + nodot(python_version, 2);
  std::vector<std::string> abis;
  if (abis_in) {
    abis = *abis_in;
  } else if (python_version.size() > 1) {
    abis = {interpreter};
  }
  bool threading = is_threaded_cpython(abis);
  // The stable ABIs and "none" have fixed places below; drop them from the list (the
  // first occurrence, as list.remove does).
  std::vector<std::string_view> explicit_abis = {"abi3", "none"};
  if (threading) explicit_abis.push_back("abi3t");
  for (std::string_view abi : explicit_abis) {
    auto it = std::find(abis.begin(), abis.end(), abi);
    if (it != abis.end()) abis.erase(it);
  }
  for (const std::string& abi : abis) append_all(out, interpreter, abi, platforms);

  bool use_abi3 = at_least_3_2(python_version) && !threading;
  bool use_abi3t = at_least_3_2(python_version) && threading;
  if (use_abi3) append_all(out, interpreter, "abi3", platforms);
  if (use_abi3t) append_all(out, interpreter, "abi3t", platforms);
  append_all(out, interpreter, "none", platforms);
  if (use_abi3 || use_abi3t) {
    for (int minor = python_version[1] - 1; minor > 1; --minor) {
      std::string older = "cp" + std::to_string(python_version[0]) + std::to_string(minor);
      for (const std::string& p : platforms) {
        if (use_abi3) out.push_back(Tag::make(older, "abi3", p));
        if (use_abi3t) out.push_back(Tag::make(older, "abi3t", p));
      }
    }
  }
  return out;
}

std::vector<Tag> generic_tags(std::string_view interpreter, std::vector<std::string> abis,
                              const std::vector<std::string>& platforms) {
  if (std::find(abis.begin(), abis.end(), "none") == abis.end()) abis.push_back("none");
  std::vector<Tag> out;
  for (const std::string& abi : abis) append_all(out, interpreter, abi, platforms);
  return out;
}

std::vector<Tag> pure_python_tags(const std::vector<int>& python_version) {
  std::vector<Tag> out;
  for (const std::string& py : py_interpreter_range(python_version)) {
    out.push_back(Tag::make(py, "none", "any"));
  }
  return out;
}

std::vector<Tag> compatible_tags(const std::vector<int>& python_version,
                                 const std::optional<std::string>& interpreter,
                                 const std::vector<std::string>& platforms) {
  std::vector<Tag> out;
  for (const std::string& py : py_interpreter_range(python_version)) {
    append_all(out, py, "none", platforms);
  }
  if (interpreter && !interpreter->empty()) out.push_back(Tag::make(*interpreter, "none", "any"));
  for (Tag& t : pure_python_tags(python_version)) out.push_back(std::move(t));
  return out;
}

std::vector<Tag> target_tags(const PythonTarget& target) {
  std::vector<int> version = {target.python_major, target.python_minor};
  std::vector<std::string> platforms = linux_platforms(target);
  std::vector<Tag> out = cpython_tags(version, std::vector<std::string>{target.abi}, platforms);
  for (Tag& t : compatible_tags(version, target.interpreter(), platforms)) {
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace ignite::python
