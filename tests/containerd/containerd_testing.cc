#include "tests/containerd/containerd_testing.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/containerd/containerd_server.h"

namespace ignite::containerd::testing {
namespace {

using ignite::testing::run_builder;
using ignite::testing::sh;
using ignite::testing::shell_quote;

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Made once per test program: the first test that asks makes (or finds) the base store.
const std::string& base_store(std::string* why) {
  static std::string reason;
  static const std::string store = ignite::testing::python_base_store(&reason);
  *why = reason;
  return store;
}

}  // namespace

std::string missing_prerequisite() {
  if (std::string why = unavailable_reason(); !why.empty()) return why;
  std::string why;
  if (base_store(&why).empty()) return why;
  return "";
}

ignite::testing::CommandResult run_builder_bounded(const std::string& args) {
  ignite::testing::TempDir tmp;
  ignite::testing::CommandResult r{};
  r.exit_code = ignite::testing::run_command(
      std::string(IGNITE_BINARY) + " " + args + " 2>" + shell_quote(tmp / "err"), &r.out,
      kImportTimeoutSeconds);
  ignite::testing::run_command("cat " + shell_quote(tmp / "err"), &r.err);
  return r;
}

void copy_base_store(const std::string& dir) {
  std::string why;
  const std::string& base = base_store(&why);
  ASSERT_FALSE(base.empty()) << why;
  sh("cp -a " + shell_quote(base) + " " + shell_quote(dir));
}

nlohmann::json build(const std::string& source, const std::string& app, const std::string& store,
                     const std::string& extra) {
  auto r = run_builder("build " + shell_quote(source) + " --org acme-corp --app " + app +
                       " --store " + shell_quote(store) + " -o json --quiet " + extra);
  EXPECT_EQ(r.exit_code, 0) << "build " << source << ":\n" << r.err;
  if (r.exit_code != 0) return nlohmann::json::object();
  return nlohmann::json::parse(r.out);
}

void write_greet(const std::string& dir, const std::string& greeting) {
  std::filesystem::create_directories(dir);
  const std::string examples = std::string(IGNITE_SOURCE_DIR) + "/examples/greet/";
  std::filesystem::copy_file(examples + "handler.py", dir + "/handler.py");
  std::ofstream(dir + "/greeting.py")
      << "def greet(name):\n    return f\"" << greeting << ", {name}!\"\n";
}

std::string blob_path(const std::string& store, const std::string& digest) {
  return store + "/oci/blobs/sha256/" + digest.substr(digest.find(':') + 1);
}

ImageBlobs image_blobs(const std::string& store, const std::string& digest) {
  ImageBlobs out;
  const std::string bytes = read_file(blob_path(store, digest));
  const auto manifest = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(manifest.is_object()) << "manifest " << digest << " in " << store;
  if (!manifest.is_object()) return out;
  out.digests.push_back(manifest["config"]["digest"]);
  out.sizes.push_back(manifest["config"]["size"]);
  for (const auto& layer : manifest["layers"]) {
    out.digests.push_back(layer["digest"]);
    out.sizes.push_back(layer["size"]);
  }
  out.digests.push_back(digest);
  out.sizes.push_back(static_cast<std::int64_t>(bytes.size()));
  return out;
}

}  // namespace ignite::containerd::testing
