// The same tree, base, app and epoch give the same manifest digest, whatever the packaging of
// the source, the umask, TZ, mtimes or the store's path.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string_view>

#include <nlohmann/json.hpp>

#include "tests/pipeline/pipeline_testing.h"
#include "tests/testing/archive_writer.h"

namespace ignite::testing {
namespace {

const std::string kHandler = "import helper\ndef handler(payload, ctx):\n    return helper.shout(payload)\n";
const std::string kHelper = "def shout(b):\n    return b.upper()\n";

std::string digest_of(const CommandResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return "";
  return nlohmann::json::parse(r.out)["digest"].get<std::string>();
}

// Golden: the manifest digest of kHandler+kHelper on the synthetic base at epoch 0. It changes
// when the image format, the runtime host or the builder version changes, and only then;
// IGNITE_UPDATE_GOLDEN=1 prints the new value to paste here.
constexpr const char* kGoldenDigest =
    "sha256:797e707c9e61ee7ca9b19958f8488ef280642d03a13e69bda67010a27ae52431";

TEST(ReproducibilityTest, SameInputsSameDigestEverywhere) {
  TempDir work;
  const std::string base = make_synthetic_base(work / "base");

  // The tree as a directory, then as tar, tar.gz and zip with other metadata and order.
  work.write("dir/handler.py", kHandler);
  work.write("dir/helper.py", kHelper, 0600);
  std::vector<TestEntry> entries = {TestEntry::file("helper.py", kHelper, 0640),
                                    TestEntry::file("handler.py", kHandler, 0664)};
  entries[0].mtime = 1234567890;
  entries[0].uid = 1000;
  entries[1].mtime = 42;
  work.write("draft.tar", write_archive(ArchiveFormat::kGnuTar, entries));
  work.write("draft.tar.gz", write_archive(ArchiveFormat::kTarGz, entries));
  work.write("draft.zip", write_archive(ArchiveFormat::kZip, entries));

  struct Variant {
    std::string source, env;
  };
  const std::vector<Variant> variants = {
      {"dir", "TZ=UTC"},
      {"draft.tar", "TZ=America/Los_Angeles"},
      {"draft.tar.gz", "TZ=Asia/Kolkata LC_ALL=C"},
      {"draft.zip", "TZ=Pacific/Chatham"},
  };
  std::vector<std::string> digests;
  int n = 0;
  for (const auto& v : variants) {
    // A fresh store each time, at another path, under another umask.
    const std::string store = work / ("store-" + std::to_string(n++) + "/deeper");
    const std::string cmd = "build " + shell_quote(work / v.source) +
                            " --org acme-corp --app greet -o json --base " + shell_quote(base) +
                            " --store " + shell_quote(store);
    const std::string umask = n % 2 ? "umask 077;" : "umask 002;";
    digests.push_back(digest_of(run_builder_env(v.env + " SOURCE_DATE_EPOCH=", cmd, umask)));
  }
  for (const auto& d : digests) EXPECT_EQ(d, digests[0]);

  const char* update = std::getenv("IGNITE_UPDATE_GOLDEN");
  if (update != nullptr && std::string_view(update) == "1") {
    std::printf("golden manifest digest: %s\n", digests[0].c_str());
  } else {
    EXPECT_EQ(digests[0], kGoldenDigest) << "run with IGNITE_UPDATE_GOLDEN=1 to see the new value, "
                                            "and update kGoldenDigest if the change is intended";
  }
}

TEST(ReproducibilityTest, EpochAndAppAreInputs) {
  TempDir work;
  const std::string base = make_synthetic_base(work / "base");
  work.write("src/handler.py", kHandler);
  auto build = [&](const std::string& env, const std::string& app) {
    return digest_of(run_builder_env(env, "build " + shell_quote(work / "src") + " --app " + app +
                                              " -o json --base " + shell_quote(base) + " --store " +
                                              shell_quote(work / "store")));
  };
  const std::string a = build("SOURCE_DATE_EPOCH=0", "acme-corp/greet");
  EXPECT_EQ(build("SOURCE_DATE_EPOCH=0", "acme-corp/greet"), a);  // v2: same digest as v1
  EXPECT_NE(build("SOURCE_DATE_EPOCH=1700000000", "acme-corp/greet"), a);
  EXPECT_NE(build("SOURCE_DATE_EPOCH=0", "acme-corp/other"), a);
  auto bad = run_builder_env("SOURCE_DATE_EPOCH=yesterday", "build " + shell_quote(work / "src") +
                                                                " --app acme-corp/greet --base " +
                                                                shell_quote(base) + " --store " +
                                                                shell_quote(work / "store"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("SOURCE_DATE_EPOCH"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace ignite::testing
