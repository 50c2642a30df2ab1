// Every wheel of ../shared/wheelhouse (real wheels from PyPI's generators: setuptools, flit,
// hatchling, maturin) installs under RecordPolicy::kStrict, and the installed RECORD lists
// exactly the installed tree.
#include <gtest/gtest.h>

#include <dirent.h>

#include <algorithm>
#include <filesystem>

#include "builder/wheel/wheel_install.h"
#include "tests/wheel/wheel_builder.h"

namespace ignite::testing {
namespace {

const std::string kWheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";

std::vector<std::string> wheelhouse() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(kWheelhouse, ec)) {
    if (e.path().extension() == ".whl") out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Paths of an installed RECORD, as written (no quoting is needed for these wheels' names).
std::vector<std::string> record_paths(const std::string& record) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < record.size()) {
    const std::size_t nl = record.find('\n', start);
    const std::string line = record.substr(start, nl - start);
    out.push_back(line.substr(0, line.find(',')));
    start = nl + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(WheelRealTest, EveryWheelhouseWheelInstallsStrictly) {
  const std::vector<std::string> wheels = wheelhouse();
  if (wheels.empty()) GTEST_SKIP() << "no wheels in " << kWheelhouse << " (../shared is missing)";
  for (const std::string& filename : wheels) {
    SCOPED_TRACE(filename);
    TempDir tmp;
    auto r = wheel::install_wheel(kWheelhouse + "/" + filename, filename, tmp / "target", {});
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_TRUE(r->warnings.empty());
    const std::vector<std::string> tree = list_files(tmp / "target");
    EXPECT_EQ(r->files, tree);
    const std::string dist_info = r->name + "-" + r->version + ".dist-info";
    EXPECT_EQ(record_paths(slurp(tmp / ("target/" + dist_info + "/RECORD"))), tree);
    EXPECT_EQ(slurp(tmp / ("target/" + dist_info + "/INSTALLER")), "ignite-builder\n");
  }
}

TEST(WheelRealTest, ConsoleScriptsOfRealWheels) {
  struct Case {
    const char* prefix;
    const char* script;
    const char* import_line;
  };
  const Case cases[] = {
      {"charset_normalizer-", "normalizer", "from charset_normalizer.cli import cli_detect\n"},
      {"flask-", "flask", "from flask.cli import main\n"},
      {"jsonschema-4", "jsonschema", "from jsonschema.cli import main\n"},
  };
  const std::vector<std::string> wheels = wheelhouse();
  if (wheels.empty()) GTEST_SKIP() << "no wheels in " << kWheelhouse << " (../shared is missing)";
  for (const Case& c : cases) {
    auto it = std::find_if(wheels.begin(), wheels.end(),
                           [&](const std::string& f) { return f.starts_with(c.prefix); });
    ASSERT_NE(it, wheels.end()) << c.prefix;
    TempDir tmp;
    auto r = wheel::install_wheel(kWheelhouse + "/" + *it, *it, tmp / "target", {});
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    const std::string launcher = slurp(tmp / ("target/bin/" + std::string(c.script)));
    EXPECT_TRUE(launcher.starts_with("#!/usr/bin/python3\n")) << launcher;
    EXPECT_NE(launcher.find(c.import_line), std::string::npos) << launcher;
    EXPECT_EQ(mode_of(tmp / ("target/bin/" + std::string(c.script))), 0755);
  }
}

// The fuzz target's seeds reach past the checks: two install, one has a RECORD that lies.
TEST(WheelRealTest, FuzzSeedsInstall) {
  const std::string corpus = std::string(IGNITE_SOURCE_DIR) + "/tests/fuzz/corpus/wheel_install/";
  for (const char* seed : {"purelib.whl", "data_and_scripts.whl", "bad_record.whl"}) {
    TempDir tmp;
    auto r = wheel::install_wheel(corpus + seed, "fuzz-1.0-py3-none-any.whl", tmp / "t", {});
    if (std::string_view(seed) == "bad_record.whl") {
      EXPECT_EQ(r.status().code(), Code::kFailedPrecondition) << r.status().to_string();
    } else {
      EXPECT_TRUE(r.ok()) << seed << ": " << r.status().to_string();
    }
  }
}

}  // namespace
}  // namespace ignite::testing
