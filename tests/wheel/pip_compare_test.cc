// pip as the oracle for the layout: real wheels and a synthetic one using every .data scheme,
// installed by install_wheel and by `pip install --target`, must give the same files with the
// same bytes and executable bits (pip's own INSTALLER, REQUESTED, RECORD and direct_url.json
// aside: RECORD differs by design, see docs/wheel-install.md; no bytecode, pip is run with
// --no-compile).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "builder/wheel/wheel_install.h"
#include "tests/wheel/wheel_builder.h"

namespace ignite::testing {
namespace {

const std::string kWheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";
const std::string kPython = "/usr/bin/python3";

bool pip_available() {
  std::string out;
  return run_command("timeout 60 " + kPython + " -I -m pip --version >/dev/null 2>&1", &out) == 0;
}

bool compared(const std::string& rel) {
  const std::string base = rel.substr(rel.rfind('/') + 1);
  if (rel.find("__pycache__/") != std::string::npos || rel.ends_with(".pyc")) return false;
  const bool in_dist_info = rel.find(".dist-info/") != std::string::npos;
  // pip's own: INSTALLER ("pip"), REQUESTED, RECORD, and direct_url.json (PEP 610: installed
  // from a file path, which an install from a lock is not).
  return !(in_dist_info && (base == "INSTALLER" || base == "REQUESTED" || base == "RECORD" ||
                            base == "direct_url.json"));
}

struct Tree {
  std::vector<std::string> files;
  std::map<std::string, std::string> bytes;
  std::map<std::string, bool> executable;
};

Tree read_tree(const std::string& root) {
  Tree t;
  for (const std::string& f : list_files(root)) {
    if (!compared(f)) continue;
    t.files.push_back(f);
    t.bytes[f] = slurp(root + "/" + f);
    t.executable[f] = (mode_of(root + "/" + f) & 0100) != 0;
  }
  return t;
}

// Runs pip into `target`; "" on success, else its output.
std::string pip_install(const TempDir& tmp, const std::string& wheel_path,
                        const std::string& target) {
  tmp.mkdir("home");
  tmp.mkdir("pip-tmp");
  std::string out;
  const int rc =
      run_command("HOME=" + shell_quote(tmp / "home") + " TMPDIR=" + shell_quote(tmp / "pip-tmp") +
                      " timeout 120 " + kPython +
                      " -m pip install --isolated --no-cache-dir --no-deps --no-index --no-compile "
                      "--disable-pip-version-check --quiet --target " +
                      shell_quote(target) + " " + shell_quote(wheel_path) + " 2>&1",
                  &out);
  return rc == 0 ? "" : "pip failed (" + std::to_string(rc) + "): " + out;
}

void compare_with_pip(const std::string& wheel_path, const std::string& filename) {
  TempDir tmp;
  const std::string err = pip_install(tmp, wheel_path, tmp / "pip");
  ASSERT_EQ(err, "");
  auto ours = wheel::install_wheel(wheel_path, filename, tmp / "ours", {});
  ASSERT_TRUE(ours.ok()) << ours.status().to_string();
  const Tree pip = read_tree(tmp / "pip");
  const Tree mine = read_tree(tmp / "ours");
  ASSERT_EQ(mine.files, pip.files);
  for (const std::string& f : pip.files) {
    EXPECT_EQ(mine.bytes.at(f), pip.bytes.at(f)) << f;
    EXPECT_EQ(mine.executable.at(f), pip.executable.at(f)) << f;
  }
}

class WheelPipCompareTest : public ::testing::TestWithParam<std::string> {};

TEST_P(WheelPipCompareTest, SameFilesAsPipTarget) {
  if (!std::filesystem::is_directory(kWheelhouse)) {
    GTEST_SKIP() << kWheelhouse << " is missing (../shared); the comparison needs its wheels";
  }
  if (!pip_available()) GTEST_SKIP() << "pip is not runnable (" << kPython << " -m pip)";
  std::string found;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(kWheelhouse, ec)) {
    const std::string f = e.path().filename().string();
    if (f.starts_with(GetParam() + "-") && f.ends_with(".whl")) found = f;
  }
  ASSERT_FALSE(found.empty()) << "no " << GetParam() << " wheel in " << kWheelhouse;
  compare_with_pip(kWheelhouse + "/" + found, found);
}

INSTANTIATE_TEST_SUITE_P(Wheelhouse, WheelPipCompareTest,
                         ::testing::Values("flask", "charset_normalizer", "pyyaml", "cryptography",
                                           "jsonschema", "python_dateutil"),
                         [](const auto& wheel) { return std::string(wheel.param); });

TEST(WheelPipCompareSyntheticTest, EveryDataSchemeAsPipLaysItOut) {
  if (!pip_available()) GTEST_SKIP() << "pip is not runnable (" << kPython << " -m pip)";
  TestWheel w;
  w.entries = {
      ZipEntry::file("demo/__init__.py", "def main(): pass\n"),
      ZipEntry::file("demo/native.so", "so", 0755),
      ZipEntry::file("demo-1.0.data/purelib/demo_pure.py", "pure\n"),
      ZipEntry::file("demo-1.0.data/platlib/demo_plat.py", "plat\n"),
      ZipEntry::file("demo-1.0.data/scripts/demo-run", "#!python\nimport demo\n", 0755),
      ZipEntry::file("demo-1.0.data/scripts/demo-w", "#!pythonw -E\nimport demo\n", 0755),
      ZipEntry::file("demo-1.0.data/scripts/demo.sh", "#!/bin/sh\necho hi\n", 0755),
      ZipEntry::file("demo-1.0.data/scripts/tool.exe", "MZ"),
      ZipEntry::file("demo-1.0.data/headers/demo.h", "#define DEMO 1\n"),
      ZipEntry::file("demo-1.0.data/data/share/demo/readme.txt", "data\n"),
  };
  w.entry_points =
      "[console_scripts]\ntool = demo:main\nsub = demo.cli:App.run [x]\n"
      "[gui_scripts]\ndemo-gui = demo:main\n";
  TempDir tmp;
  tmp.write(w.filename(), w.bytes());
  compare_with_pip(tmp / w.filename(), w.filename());
}

}  // namespace
}  // namespace ignite::testing
