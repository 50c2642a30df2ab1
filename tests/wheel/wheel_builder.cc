#include "tests/wheel/wheel_builder.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "builder/util/sha256.h"
#include "builder/wheel/record.h"

namespace ignite::testing {

std::string record_row(const std::string& path, const std::string& data) {
  Sha256 h;
  h.update(data);
  return wheel::write_record({{path, wheel::record_hash(h.finish()), std::to_string(data.size())}});
}

std::vector<ZipEntry> TestWheel::payload() const {
  std::vector<ZipEntry> out = entries;
  out.push_back(ZipEntry::file(dist_info() + "/METADATA", "Metadata-Version: 2.1\nName: " + name +
                                                              "\nVersion: " + version + "\n"));
  out.push_back(ZipEntry::file(dist_info() + "/WHEEL", wheel));
  if (entry_points) out.push_back(ZipEntry::file(dist_info() + "/entry_points.txt", *entry_points));
  return out;
}

std::string TestWheel::correct_record() const {
  std::string out;
  for (const ZipEntry& e : payload()) {
    if ((e.mode & 0170000) != 040000) out += record_row(e.name, e.data);
  }
  return out + dist_info() + "/RECORD,,\n";
}

std::vector<ZipEntry> TestWheel::members() const {
  std::vector<ZipEntry> out = payload();
  out.push_back(ZipEntry::file(dist_info() + "/RECORD", record ? *record : correct_record()));
  return out;
}

Result<wheel::InstalledWheel> install_bytes(const TempDir& dir, const std::string& filename,
                                            const std::string& bytes,
                                            const wheel::InstallOptions& options) {
  dir.write(filename, bytes);
  return wheel::install_wheel(dir / filename, filename, dir / "target", options);
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return "<missing>";
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

int mode_of(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

std::vector<std::string> list_files(const std::string& root) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const std::string rel = fs::relative(it->path(), root).string();
    if (it->is_symlink()) {
      out.push_back("?" + rel);
    } else if (it->is_regular_file()) {
      out.push_back(rel);
    } else if (!it->is_directory()) {
      out.push_back("?" + rel);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ignite::testing
