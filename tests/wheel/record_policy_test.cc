// A wheel whose RECORD lies: refused under RecordPolicy::kStrict with the path and what
// differs, installed with warnings under kWarn.
#include <gtest/gtest.h>

#include "builder/wheel/wheel_install.h"
#include "tests/wheel/wheel_builder.h"

namespace ignite::testing {
namespace {

using wheel::InstallOptions;
using wheel::RecordPolicy;

struct Lie {
  const char* name;
  std::string record;   // replaces the wheel's RECORD
  std::string problem;  // the one problem it causes
};

TestWheel base_wheel() {
  TestWheel w;
  w.entries = {ZipEntry::file("demo/__init__.py", "x = 1\n"), ZipEntry::file("demo/b.py", "b")};
  return w;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const std::size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

std::vector<Lie> lies() {
  const TestWheel w = base_wheel();
  const std::string good = w.correct_record();
  const std::string b_row = record_row("demo/b.py", "b");
  const std::string wrong_hash = record_row("demo/b.py", "c");
  // "demo/b.py,<hash>,1\n" -> "<hash>"
  auto hash_of = [](const std::string& row) { return row.substr(10, row.rfind(',') - 10); };
  return {
      {"WrongHash", replace(good, b_row, wrong_hash),
       "\"demo/b.py\": sha256 differs (RECORD says \"" + hash_of(wrong_hash) +
           "\", the wheel holds " + hash_of(b_row) + ")"},
      {"WrongSize", replace(good, b_row, "demo/b.py," + hash_of(b_row) + ",7\n"),
       "\"demo/b.py\": size differs (RECORD says \"7\", the wheel holds 1 bytes)"},
      {"MissingEntry", replace(good, b_row, ""), "\"demo/b.py\": not listed in RECORD"},
      {"ExtraEntry", good + record_row("demo/gone.py", "g"),
       "\"demo/gone.py\": listed in RECORD but not in the wheel"},
      {"NoHash", replace(good, b_row, "demo/b.py,,1\n"), "\"demo/b.py\": no hash in RECORD"},
  };
}

class WheelRecordPolicyTest : public ::testing::TestWithParam<Lie> {};

TEST_P(WheelRecordPolicyTest, StrictRefusesWarnInstalls) {
  TestWheel w = base_wheel();
  w.record = GetParam().record;
  {
    TempDir tmp;
    auto r = install_test_wheel(tmp, w);  // kStrict is the default
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kFailedPrecondition) << r.status().to_string();
    EXPECT_EQ(r.status().message(),
              "installing wheel \"demo-1.0-py3-none-any.whl\": RECORD does not match the wheel: " +
                  GetParam().problem);
  }
  TempDir tmp;
  InstallOptions warn;
  warn.record = RecordPolicy::kWarn;
  auto r = install_test_wheel(tmp, w, warn);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->warnings, std::vector<std::string>{"RECORD: " + GetParam().problem});
  EXPECT_EQ(slurp(tmp / "target/demo/b.py"), "b");
  // The installed RECORD describes what was installed, whatever the wheel's said.
  const std::string record = slurp(tmp / "target/demo-1.0.dist-info/RECORD");
  EXPECT_NE(record.find(record_row("demo/b.py", "b")), std::string::npos) << record;
  EXPECT_EQ(record.find("gone.py"), std::string::npos) << record;
}

INSTANTIATE_TEST_SUITE_P(Lies, WheelRecordPolicyTest, ::testing::ValuesIn(lies()),
                         [](const ::testing::TestParamInfo<Lie>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(WheelRecordPolicyManyTest, StrictMessageCountsWhatItDoesNotShow) {
  TestWheel w;
  for (int i = 0; i < 13; ++i)
    w.entries.push_back(ZipEntry::file("demo/f" + std::to_string(i), ""));
  w.record = w.dist_info() + "/RECORD,,\n";  // lists nothing else: 15 problems
  TempDir tmp;
  auto r = install_test_wheel(tmp, w);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().message().ends_with("(and 5 more)")) << r.status().message();
}

}  // namespace
}  // namespace ignite::testing
