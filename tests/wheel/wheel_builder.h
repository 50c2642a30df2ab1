// Synthetic wheels for the install tests: a payload, plus METADATA, WHEEL, entry_points.txt
// and a RECORD that is right unless the test gives its own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "builder/util/status.h"
#include "builder/wheel/wheel_install.h"
#include "tests/testing/temp_dir.h"
#include "tests/wheel/zip_builder.h"

namespace ignite::testing {

struct TestWheel {
  std::string name = "demo";
  std::string version = "1.0";
  std::string wheel =
      "Wheel-Version: 1.0\nGenerator: ignite-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n";
  std::vector<ZipEntry> entries;            // the payload, before the .dist-info files
  std::optional<std::string> entry_points;  // entry_points.txt
  std::optional<std::string> record;        // nullopt: correct_record()

  std::string dist_info() const { return name + "-" + version + ".dist-info"; }
  std::string filename() const { return name + "-" + version + "-py3-none-any.whl"; }
  // RECORD listing every member with its hash and size, RECORD itself without.
  std::string correct_record() const;
  // entries, then METADATA, WHEEL, entry_points.txt, RECORD.
  std::vector<ZipEntry> members() const;
  std::string bytes() const { return build_zip(members()); }

 private:
  std::vector<ZipEntry> payload() const;  // members() without RECORD
};

// "path,sha256=<b64>,size\n" for `data`, as a RECORD row.
std::string record_row(const std::string& path, const std::string& data);

// Writes wheel bytes under `dir` as `filename` and installs them into dir/target.
Result<wheel::InstalledWheel> install_bytes(const TempDir& dir, const std::string& filename,
                                            const std::string& bytes,
                                            const wheel::InstallOptions& options = {});
inline Result<wheel::InstalledWheel> install_test_wheel(const TempDir& dir, const TestWheel& w,
                                                        const wheel::InstallOptions& options = {}) {
  return install_bytes(dir, w.filename(), w.bytes(), options);
}

// The file's bytes ("<missing>" when it cannot be read) and permission bits (-1: missing).
std::string slurp(const std::string& path);
int mode_of(const std::string& path);
// Every regular file under `root`, relative, sorted; symlinks and others as "?path".
std::vector<std::string> list_files(const std::string& root);

}  // namespace ignite::testing
