// Eight builds started at once on one store and app: all succeed, the versions are exactly 1-8,
// and each ref resolves to the digest its own process printed.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/pipeline/pipeline_testing.h"

namespace ignite::testing {
namespace {

TEST(ConcurrencyTest, EightBuildsGetVersionsOneToEight) {
  constexpr int kBuilds = 8;
  TempDir work;
  const std::string base = make_synthetic_base(work / "base");
  const std::string store = work / "store";
  // Distinct sources, so every version has its own digest to check.
  std::string script = "pids=''; ";
  for (int i = 0; i < kBuilds; ++i) {
    work.write("src" + std::to_string(i) + "/handler.py", echo_handler("build" + std::to_string(i)));
    script += std::string(IGNITE_BINARY) + " build " + shell_quote(work / ("src" + std::to_string(i))) +
              " --app acme-corp/greet -o json --base " + shell_quote(base) + " --store " +
              shell_quote(store) + " >" + shell_quote(work / ("out" + std::to_string(i))) + " 2>&1 & pids=\"$pids $!\"; ";
  }
  script += "rc=0; for p in $pids; do wait $p || rc=1; done; exit $rc";
  std::string ignored;
  EXPECT_EQ(run_command("/bin/sh -c " + shell_quote(script), &ignored), 0);

  std::set<std::int64_t> numbers;
  std::map<std::int64_t, std::string> printed;  // version -> digest its process printed
  for (int i = 0; i < kBuilds; ++i) {
    std::string out;
    run_command("cat " + shell_quote(work / ("out" + std::to_string(i))), &out);
    auto j = nlohmann::json::parse(out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "build " << i << " printed: " << out;
    const std::int64_t v = j["version"].get<std::int64_t>();
    numbers.insert(v);
    printed[v] = j["digest"].get<std::string>();
  }
  EXPECT_EQ(numbers, (std::set<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8}));

  for (const auto& [v, digest] : printed) {
    std::string out;
    ASSERT_EQ(run_command("skopeo inspect --raw " +
                              shell_quote("oci:" + store + "/oci:acme-corp/greet:v" + std::to_string(v)) +
                              " | sha256sum | cut -d' ' -f1",
                          &out),
              0);
    EXPECT_EQ("sha256:" + out.substr(0, 64), digest) << "version " << v;
  }
  auto check = run_builder("store check --store " + shell_quote(store));
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("8 versions"), std::string::npos) << check.out;
}

}  // namespace
}  // namespace ignite::testing
