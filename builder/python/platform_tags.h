// The ordered list of wheel tags a target interpreter accepts (PEP 425, PEP 600), most
// preferred first, computed as packaging.tags does for CPython on glibc Linux:
//   cpython_tags(version, [abi], platforms) + compatible_tags(version, "cpXY", platforms)
// where platforms are the manylinux tags from the target's glibc down to 2.5 (x86_64 and
// i686) or 2.17 (other architectures), each legacy alias (manylinux2014 = 2.17,
// manylinux2010 = 2.12, manylinux1 = 2.5) right after its glibc version, and the native
// linux_<arch> tag.
//
// The generators take their inputs as arguments and never look at the running machine:
// a build targets an image, not the host.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/python/tag.h"

namespace ignite::python {

// Where linux_<arch> (a wheel built on some Linux machine, not portable) ranks among the
// platforms. packaging <= 26.2, pip and uv put it after every manylinux tag; packaging
// 26.3 moved it first (a wheel built on this very machine is the best fit). An image
// builder installs into another machine, so portable wheels win by default.
enum class LinuxTagOrder { kManylinuxFirst, kLinuxFirst };

// A CPython interpreter on glibc Linux. The default is the image runtime: CPython 3.11
// (abi cp311, not debug, not free-threaded) on Debian bookworm (glibc 2.36), x86_64.
struct PythonTarget {
  int python_major = 3;
  int python_minor = 11;
  std::string abi = "cp311";  // the interpreter's own ABI: "cp311", "cp313t", "cp311d"
  int glibc_major = 2;
  int glibc_minor = 36;
  std::string arch = "x86_64";  // as in linux_<arch>: x86_64, aarch64, i686, ...
  LinuxTagOrder linux_order = LinuxTagOrder::kManylinuxFirst;

  // "cp311".
  std::string interpreter() const;
};

// Every tag the target accepts, most preferred first.
std::vector<Tag> target_tags(const PythonTarget& target);

// The platform tags of the target, most preferred first (manylinux and linux_<arch>).
std::vector<std::string> linux_platforms(const PythonTarget& target);

// manylinux_<major>_<minor>_<arch> from the given glibc down to the oldest supported one,
// with the legacy aliases in place (packaging's _manylinux.platform_tags). Empty for an
// architecture manylinux does not define.
std::vector<std::string> manylinux_platforms(int glibc_major, int glibc_minor,
                                             std::string_view arch);

// packaging.tags.cpython_tags: cp<XY>-<abi>-<platform> for each given ABI ("abi3", "abi3t"
// and "none" are placed by the rules, not the list), then cp<XY>-abi3 (or abi3t for a
// free-threaded ABI), cp<XY>-none, then the stable ABI of every older 3.x down to 3.2.
// `abis` nullopt: "cp<XY>" for a two-part version, none for a major-only one.
std::vector<Tag> cpython_tags(const std::vector<int>& python_version,
                              const std::optional<std::vector<std::string>>& abis,
                              const std::vector<std::string>& platforms);

// packaging.tags.generic_tags: <interpreter>-<abi>-<platform>, "none" added to the ABIs.
std::vector<Tag> generic_tags(std::string_view interpreter, std::vector<std::string> abis,
                              const std::vector<std::string>& platforms);

// packaging.tags.compatible_tags: py<XY>, py<X>, py<X(Y-1)>...py<X0> on each platform,
// then <interpreter>-none-any (when given), then pure_python_tags.
std::vector<Tag> compatible_tags(const std::vector<int>& python_version,
                                 const std::optional<std::string>& interpreter,
                                 const std::vector<std::string>& platforms);

// packaging.tags.pure_python_tags: py<XY>-none-any, py<X>-none-any, then older minors.
std::vector<Tag> pure_python_tags(const std::vector<int>& python_version);

}  // namespace ignite::python
