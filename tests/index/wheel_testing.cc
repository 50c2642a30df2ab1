#include "tests/index/wheel_testing.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "builder/util/file_io.h"
#include "tests/testing/archive_writer.h"

namespace ignite::testing {

std::string make_wheel(const std::string& name, const std::string& version,
                       const std::string& requires_python,
                       const std::vector<std::string>& requires_dist) {
  std::string md = "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n";
  if (!requires_python.empty()) md += "Requires-Python: " + requires_python + "\n";
  for (const auto& r : requires_dist) md += "Requires-Dist: " + r + "\n";
  const std::string dist_info = name + "-" + version + ".dist-info/";
  return write_archive(
      ArchiveFormat::kZip,
      {TestEntry::file(name + "/__init__.py", ""), TestEntry::file(dist_info + "METADATA", md),
       TestEntry::file(dist_info + "WHEEL",
                       "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                       "Tag: py3-none-any\n"),
       TestEntry::file(dist_info + "RECORD", "")});
}

std::string write_wheel(const std::string& dir, const std::string& name, const std::string& version,
                        const std::string& requires_python,
                        const std::vector<std::string>& requires_dist) {
  const std::string filename = name + "-" + version + "-py3-none-any.whl";
  std::filesystem::create_directories(dir);
  EXPECT_TRUE(write_file_atomic(dir + "/" + filename,
                                make_wheel(name, version, requires_python, requires_dist))
                  .ok());
  return filename;
}

void copy_wheels(const std::string& dir, const std::vector<std::string>& filenames) {
  std::filesystem::create_directories(dir);
  for (const auto& f : filenames) {
    std::filesystem::copy_file(std::string(IGNITE_SHARED_DIR) + "/wheelhouse/" + f, dir + "/" + f,
                               std::filesystem::copy_options::overwrite_existing);
  }
}

}  // namespace ignite::testing
