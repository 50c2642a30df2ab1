// The default base is a function of its Debian packages: two bases made one after the other (or
// at once) from the same mirror have one digest, their manifest lists the packages, and the
// standard library's bytecode does not depend on mtimes (so it is never stale in the image).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "builder/util/file_io.h"
#include "tests/pipeline/pipeline_testing.h"

namespace ignite::testing {
namespace {

std::string manifest_of(const std::string& store) {
  auto index = read_file(store + "/oci/index.json");
  if (!index.ok()) return "";
  const auto parsed = nlohmann::json::parse(*index);
  for (const auto& m : parsed["manifests"]) {
    if (m["annotations"].value("org.opencontainers.image.ref.name", "") ==
        "ignite/base:python3.11-bookworm") {
      return m["digest"];
    }
  }
  return "";
}

TEST(PythonBaseTest, TwoBasesHaveOneDigest) {
  if (::geteuid() != 0 || std::system("command -v debootstrap >/dev/null") != 0) {
    if (std::getenv("CI")) FAIL() << "CI must run this test: it needs root and debootstrap";
    GTEST_SKIP() << "making the base needs root and debootstrap (scripts/install-deps)";
  }
  // One base made here, the other the run's shared fixture (made before the tests by scripts/test,
  // or now, at the same time, when this test runs alone): one debootstrap per run, not two.
  TempDir work;
  std::string why;
  std::string shared;
  std::thread other([&] { shared = python_base_store(&why); });
  const CommandResult made = run_builder("store base --store " + shell_quote(work / "a"));
  other.join();
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ASSERT_FALSE(shared.empty()) << why;
  const std::string a = manifest_of(work / "a");
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, manifest_of(shared)) << "two bases from the same packages differ";

  auto manifest = nlohmann::json::parse(*read_file(work / "a/oci/blobs/sha256/" + a.substr(7)));
  const std::string packages = manifest["annotations"].value("dev.ignite.base.packages", "");
  EXPECT_NE(packages.find("\npython3.11-minimal="), std::string::npos) << packages;
  EXPECT_NE(packages.find("\nlibc6="), std::string::npos) << packages;

  // os.py's bytecode is hash-based and unchecked (flags 01 00 00 00 after the magic), and no
  // aux-cache is left.
  const std::string layer = manifest["layers"][0]["digest"];
  const std::string blob = shell_quote(work / "a/oci/blobs/sha256/" + layer.substr(7));
  std::string out;
  ASSERT_EQ(run_command(
                "tar -xzOf " + blob +
                    " usr/lib/python3.11/__pycache__/os.cpython-311.pyc | head -c 8 | od -An -tx1",
                &out),
            0);
  EXPECT_EQ(out, " a7 0d 0d 0a 01 00 00 00\n");
  run_command("tar -tzf " + blob + " | grep -c aux-cache", &out);
  EXPECT_EQ(out, "0\n");
}

}  // namespace
}  // namespace ignite::testing
