#include "builder/wheel/dist_info.h"

#include <set>

#include "builder/python/names.h"
#include "builder/python/version.h"
#include "builder/wheel/member_path.h"

namespace ignite::wheel {

Result<DistInfo> find_dist_info(const std::vector<ZipMember>& members,
                                const python::WheelFilename& filename) {
  constexpr std::string_view kSuffix = ".dist-info";
  std::set<std::string> dirs;
  for (const ZipMember& m : members) {
    std::string_view top = first_component(m.name);
    if (top.ends_with(kSuffix)) dirs.insert(std::string(top));
  }
  if (dirs.empty()) return invalid_argument("no .dist-info directory at the top of the wheel");
  if (dirs.size() > 1) {
    std::string list;
    for (const std::string& d : dirs) list += (list.empty() ? "" : ", ") + quote_member(d);
    return invalid_argument("more than one .dist-info directory: " + list);
  }
  DistInfo info;
  info.dir = *dirs.begin();
  const std::string_view stem =
      std::string_view(info.dir).substr(0, info.dir.size() - kSuffix.size());
  const std::size_t dash = stem.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == stem.size()) {
    return invalid_argument(quote_member(info.dir) + " is not <name>-<version>.dist-info");
  }
  info.name = std::string(stem.substr(0, dash));
  info.version = std::string(stem.substr(dash + 1));
  if (python::canonicalize_name(info.name) != filename.name) {
    return invalid_argument(quote_member(info.dir) + " is not the .dist-info of " +
                            quote_member(filename.name) + ", the project the file name gives");
  }
  auto version = python::Version::parse(info.version);
  if (!version.ok() || !(*version == filename.version)) {
    return invalid_argument(quote_member(info.dir) + " is not of version " +
                            filename.version.to_string() + ", the version the file name gives");
  }
  return info;
}

}  // namespace ignite::wheel
