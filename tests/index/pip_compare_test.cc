// pip as the oracle: several requirement sets resolved against ../shared/wheelhouse by
// `ignite-builder lock` and by `pip install --dry-run --report`, pins compared; a set
// that cannot be satisfied must fail in both.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>

#include "builder/python/names.h"
#include "builder/util/file_io.h"
#include "tests/cli/cli_testing.h"
#include "tests/index/index_server.h"

namespace ignite::testing {
namespace {

const std::string kWheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";

bool pip_available() {
  std::string out;
  return run_command(python3() + " -m pip --version >/dev/null 2>&1", &out) == 0;
}

using Pins = std::map<std::string, std::string>;

// nullopt when pip fails to resolve.
std::optional<Pins> pip_pins(const TempDir& app) {
  std::string out;
  const int rc = run_command(python3() +
                                 " -m pip install --quiet --disable-pip-version-check --dry-run "
                                 "--ignore-installed --report " +
                                 shell_quote(app / "report.json") + " --no-index --find-links " +
                                 shell_quote(kWheelhouse) + " -r " +
                                 shell_quote(app / "requirements.txt") + " >/dev/null 2>&1",
                             &out);
  if (rc != 0) return std::nullopt;
  auto report = read_file(app / "report.json");
  if (!report.ok()) return std::nullopt;
  Pins pins;
  for (const auto& item : nlohmann::json::parse(*report)["install"]) {
    pins[python::canonicalize_name(item["metadata"]["name"].get<std::string>())] =
        item["metadata"]["version"].get<std::string>();
  }
  return pins;
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

class PipCompareTest : public ::testing::TestWithParam<Case> {};

TEST_P(PipCompareTest, SamePinsAsPip) {
  if (!pip_available())
    GTEST_SKIP() << "pip is not installed (python3 -m pip); the comparison needs it";
  const Case& c = GetParam();
  TempDir app;
  app.write("requirements.txt", c.requirements);
  if (c.constraints != nullptr) app.write("constraints.txt", c.constraints);
  std::string err;
  auto ours = our_pins(app, &err);
  auto pips = pip_pins(app);
  if (c.must_fail) {
    EXPECT_FALSE(ours.has_value()) << "ignite-builder resolved what must fail";
    EXPECT_FALSE(pips.has_value()) << "pip resolved what must fail";
    EXPECT_NE(err.find("[FAILED_PRECONDITION]"), std::string::npos) << err;
    return;
  }
  ASSERT_TRUE(ours.has_value()) << err;
  ASSERT_TRUE(pips.has_value()) << "pip failed";
  EXPECT_EQ(*ours, *pips);
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
