// pip as the oracle: several requirement sets resolved against ../shared/wheelhouse by
// `ignite-builder lock` and by `pip install --dry-run --report`, pins compared; a set
// that cannot be satisfied must fail in both.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <ostream>

#include "builder/python/names.h"
#include "builder/util/file_io.h"
#include "tests/cli/cli_testing.h"
#include "tests/index/index_server.h"

namespace ignite::testing {
namespace {

const std::string kWheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";

// pip run so that nothing of the machine or the user can change its answer or make it fail: the
// system interpreter by path (python3() is /usr/bin/python3; a pyenv shim first on PATH can
// exit 1 after pip succeeded, when its rehash races with another test's), no inherited
// environment (env -i: no PIP_FIND_LINKS, PIP_INDEX_URL, PYTHONPATH, ...), no configuration
// files (--isolated, -I), a private HOME and TMPDIR, no cache, and a bound on its time.
std::string pip_command(const TempDir& tmp) {
  tmp.mkdir("pip-home");
  tmp.mkdir("pip-tmp");
  return "env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=" + shell_quote(tmp / "pip-home") +
         " TMPDIR=" + shell_quote(tmp / "pip-tmp") + " /usr/bin/timeout 300 " + python3() +
         " -I -m pip";
}

// "" when `python3 -m pip` runs, else why not.
std::string pip_unavailable() {
  TempDir tmp;
  std::string out;
  const int rc = run_command(pip_command(tmp) + " --version 2>&1", &out);
  return rc == 0 ? "" : "exit " + std::to_string(rc) + ": " + out;
}

using Pins = std::map<std::string, std::string>;

struct PipAnswer {
  std::optional<Pins> pins;  // nullopt when pip did not resolve
  std::string output;        // pip's stdout and stderr, for the failure message
};

PipAnswer pip_pins(const TempDir& app) {
  PipAnswer answer;
  const TempDir pip_tmp;  // HOME and TMPDIR, apart from the app (the source the builder read)
  const int rc = run_command(
      pip_command(pip_tmp) +
          " install --isolated --no-cache-dir --disable-pip-version-check --no-input --quiet "
          "--dry-run --ignore-installed --report " +
          shell_quote(app / "report.json") + " --no-index --find-links " +
          shell_quote(kWheelhouse) + " -r " + shell_quote(app / "requirements.txt") + " 2>&1",
      &answer.output);
  answer.output = "pip exited " + std::to_string(rc) + ":\n" + answer.output;
  if (rc != 0) return answer;
  auto report = read_file(app / "report.json");
  if (!report.ok()) {
    answer.output += "\n(no report: " + report.status().to_string() + ")";
    return answer;
  }
  Pins pins;
  for (const auto& item : nlohmann::json::parse(*report)["install"]) {
    pins[python::canonicalize_name(item["metadata"]["name"].get<std::string>())] =
        item["metadata"]["version"].get<std::string>();
  }
  answer.pins = std::move(pins);
  return answer;
}

std::optional<Pins> our_pins(const TempDir& app, std::string* err) {
  CommandResult r =
      run_builder("lock " + shell_quote(app.path()) + " -o json --no-index --find-links " +
                  shell_quote(kWheelhouse) + " --cache-dir " + shell_quote(app / "cache"));
  *err = r.err;
  if (r.exit_code != 0) return std::nullopt;
  Pins pins;
  for (const auto& p : nlohmann::json::parse(r.out)["packages"]) {
    pins[p["name"].get<std::string>()] = p["version"].get<std::string>();
  }
  return pins;
}

struct Case {
  const char* name;
  const char* requirements;
  const char* constraints;  // nullptr: none
  bool must_fail;
};

// What gtest prints for GetParam() (in its listing and its failure messages): the case's name,
// not the struct's bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class PipCompareTest : public ::testing::TestWithParam<Case> {};

TEST_P(PipCompareTest, SamePinsAsPip) {
  if (const std::string why = pip_unavailable(); !why.empty()) {
    GTEST_SKIP() << "pip does not run (" << python3()
                 << " -m pip; the comparison needs it): " << why;
  }
  const Case& c = GetParam();
  TempDir app;
  app.write("requirements.txt", c.requirements);
  if (c.constraints != nullptr) app.write("constraints.txt", c.constraints);
  std::string err;
  auto ours = our_pins(app, &err);
  const PipAnswer pip = pip_pins(app);
  if (c.must_fail) {
    EXPECT_FALSE(ours.has_value()) << "ignite-builder resolved what must fail";
    EXPECT_FALSE(pip.pins.has_value()) << "pip resolved what must fail";
    // Failed for the right reason (pip's two resolution errors), not because pip could not run.
    EXPECT_TRUE(pip.output.find("No matching distribution found") != std::string::npos ||
                pip.output.find("ResolutionImpossible") != std::string::npos)
        << pip.output;
    EXPECT_NE(err.find("[FAILED_PRECONDITION]"), std::string::npos) << err;
    return;
  }
  ASSERT_TRUE(ours.has_value()) << err;
  ASSERT_TRUE(pip.pins.has_value()) << pip.output;
  EXPECT_EQ(*ours, *pip.pins);
}

INSTANTIATE_TEST_SUITE_P(
    Wheelhouse, PipCompareTest,
    ::testing::Values(
        Case{"plain", "flask\nrequests>=2.30\npyyaml\n", nullptr, false},
        Case{"extras", "pydantic[timezone]\njsonschema\n", nullptr, false},
        Case{"markers",
             "click; sys_platform == 'win32'\ncryptography\nattrs ; python_version >= '3.8'\n",
             nullptr, false},
        Case{"constraints", "-c constraints.txt\nrequests\nflask\n",
             "urllib3<3\nidna==3.13\norjson==3.8.3\n", false},
        Case{"everything",
             "flask\nrequests\npydantic\njsonschema\ncryptography\npyyaml\norjson\n"
             "python-dateutil\n",
             nullptr, false},
        Case{"conflict", "requests\nurllib3<2\n", nullptr, true}),
    [](const ::testing::TestParamInfo<Case>& param_info) {
      return std::string(param_info.param.name);
    });

}  // namespace
}  // namespace ignite::testing
