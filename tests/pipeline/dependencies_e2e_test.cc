// A function with real dependencies on the real Python base, end to end: flask, requests,
// pydantic, jsonschema, yaml, cryptography and orjson from ../shared/wheelhouse, bytecode made
// by the base's own python3; the image unpacked with umoci and run with runc as 65532:65532
// (as a node runs it), answering a request that proves the imports; the installed files equal
// what `pip install --target` installs; a second app shares the layer digest.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "builder/util/file_io.h"
#include "tests/pipeline/pipeline_testing.h"

namespace ignite::testing {
namespace {

const std::string kWheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";

const char* kRequirements = "flask\nrequests\npydantic\njsonschema\npyyaml\ncryptography\norjson\n";

const char* kHandler = R"(import hashlib
import importlib.util
import json
import os
import sys

import cryptography
import flask
import jsonschema
import orjson
import pydantic
import requests
import yaml
from cryptography.hazmat.primitives import hashes


class Point(pydantic.BaseModel):
    x: int
    y: int


def handler(payload, ctx):
    doc = yaml.safe_load(payload)
    jsonschema.validate(doc, {"type": "object", "required": ["x", "y"]})
    point = Point(**doc)
    digest = hashes.Hash(hashes.SHA256())
    digest.update(payload)
    modules = [flask, requests, pydantic, jsonschema, yaml, cryptography, orjson]
    return {
        "point": point.model_dump(),
        "sha256": digest.finalize().hex(),
        "expected": hashlib.sha256(payload).hexdigest(),
        "orjson": orjson.dumps({"ok": True}).decode(),
        "files": {m.__name__: m.__file__ for m in modules},
        "cached": {m.__name__: bool(m.__spec__.cached and os.path.exists(m.__spec__.cached))
                   for m in modules},
        "uid": os.getuid(),
        "flask": flask.__name__,
    }
)";

// Files (and symlinks) under `root`, relative, without bytecode and INSTALLER files.
std::set<std::string> installed_files(const std::string& root) {
  std::set<std::string> out;
  for (auto it = std::filesystem::recursive_directory_iterator(root);
       it != std::filesystem::recursive_directory_iterator(); ++it) {
    const std::string rel = std::filesystem::relative(it->path(), root).string();
    if (it->is_directory()) continue;
    if (rel.find("__pycache__/") != std::string::npos || rel.ends_with(".pyc")) continue;
    if (rel.ends_with(".dist-info/INSTALLER")) continue;
    out.insert(rel);
  }
  return out;
}

class DependenciesEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    base_store_ = python_base_store(&why);
    if (base_store_.empty() || !std::filesystem::is_directory(kWheelhouse)) {
      if (!std::filesystem::is_directory(kWheelhouse)) why = "no wheelhouse at " + kWheelhouse;
      if (std::getenv("CI")) FAIL() << "CI must run this test: " << why;
      GTEST_SKIP() << why;
    }
  }

  nlohmann::json build(const std::string& src, const std::string& app) {
    auto r = run_builder("build " + shell_quote(src) + " --app " + app + " -o json --store " +
                         shell_quote(work_ / "store") + " --base " +
                         shell_quote(base_store_ + "/oci:ignite/base:python3.11-bookworm") +
                         " --no-index --find-links " + shell_quote(kWheelhouse));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (r.exit_code != 0) return nlohmann::json();
    return nlohmann::json::parse(r.out);
  }

  std::string base_store_;
  TempDir work_;
};

TEST_F(DependenciesEndToEndTest, ImageRunsUnderRuncAndMatchesPip) {
  work_.write("src/handler.py", kHandler);
  work_.write("src/requirements.txt", kRequirements);
  const nlohmann::json built = build(work_ / "src", "acme-corp/deps");
  ASSERT_TRUE(built.is_object());
  ASSERT_TRUE(built["dependencies"].contains("layer")) << built;
  EXPECT_GE(built["dependencies"]["layer"]["packages"], 25);

  // umoci makes the runtime bundle a node would run: rootfs plus config.json from the image.
  const std::string bundle = work_ / "bundle";
  sh("umoci unpack --image " + shell_quote(work_ / "store/oci") + ":acme-corp/deps:v1 " +
     shell_quote(bundle) + " >/dev/null");
  auto config = nlohmann::json::parse(*read_file(bundle + "/config.json"));
  EXPECT_EQ(config["process"]["user"]["uid"], 65532);
  EXPECT_EQ(config["process"]["user"]["gid"], 65532);
  EXPECT_EQ(config["process"]["cwd"], "/app");
  // What a node's runtime decides, not the image: no terminal, the host's network (so the test
  // reaches the port), PORT=0 so parallel runs never collide (the port is in the log).
  config["process"]["terminal"] = false;
  auto& namespaces = config["linux"]["namespaces"];
  for (auto it = namespaces.begin(); it != namespaces.end();) {
    it = (*it)["type"] == "network" ? namespaces.erase(it) : it + 1;
  }
  for (auto& e : config["process"]["env"]) {
    if (e.get<std::string>().starts_with("PORT=")) e = "PORT=0";
  }
  ASSERT_TRUE(write_file_atomic(bundle + "/config.json", config.dump()).ok());

  const std::string id = "ignite-deps-" + std::to_string(::getpid());
  const std::string runc = "timeout 60 runc --root " + shell_quote(work_ / "runc");
  const std::string log = work_ / "host.log";
  sh(runc + " run --detach --bundle " + shell_quote(bundle) + " " + id + " >" + shell_quote(log) +
     " 2>&1 </dev/null");
  struct Stop {
    std::string runc, id;
    ~Stop() {
      std::string out;
      run_command(runc + " delete --force " + id + " >/dev/null 2>&1", &out);
    }
  } stop{runc, id};

  const std::string port = wait_for_host_port(log, 30);
  ASSERT_FALSE(port.empty()) << "the host did not start: " << sh("cat " + shell_quote(log));
  const std::string body = "x: 3\ny: 4\n";
  auto answer = nlohmann::json::parse(sh("curl -s --max-time 30 --data-binary " +
                                         shell_quote(body) + " http://127.0.0.1:" + port + "/"));
  EXPECT_EQ(answer["point"], nlohmann::json({{"x", 3}, {"y", 4}}));
  EXPECT_EQ(answer["sha256"], answer["expected"]);
  EXPECT_EQ(answer["orjson"], "{\"ok\":true}");
  EXPECT_EQ(answer["uid"], 65532);
  for (const auto& [name, file] : answer["files"].items()) {
    EXPECT_TRUE(file.get<std::string>().starts_with("/opt/ignite/deps/")) << name << ": " << file;
    EXPECT_TRUE(answer["cached"][name].get<bool>()) << name << " was imported without its .pyc";
  }

  // The same files as pip install --target from the same requirements and wheels.
  const std::string pip_target = work_ / "pip-target";
  std::filesystem::create_directories(work_ / "home");
  sh("cd " + shell_quote(work_.path()) + " && HOME=" + shell_quote(work_ / "home") +
     " TMPDIR=" + shell_quote(work_ / "home") +
     " timeout 300 /usr/bin/python3 -m pip install --isolated --no-cache-dir "
     "--disable-pip-version-check "
     "--quiet --no-index --find-links " +
     shell_quote(kWheelhouse) + " --target " + shell_quote(pip_target) +
     " --no-compile -r src/requirements.txt 2>&1");
  const auto ours = installed_files(bundle + "/rootfs/opt/ignite/deps");
  const auto pips = installed_files(pip_target);
  std::vector<std::string> only_ours, only_pip;
  std::set_difference(ours.begin(), ours.end(), pips.begin(), pips.end(),
                      std::back_inserter(only_ours));
  std::set_difference(pips.begin(), pips.end(), ours.begin(), ours.end(),
                      std::back_inserter(only_pip));
  EXPECT_TRUE(only_ours.empty() && only_pip.empty())
      << only_ours.size() << " only in ours (first: " << (only_ours.empty() ? "" : only_ours[0])
      << "), " << only_pip.size()
      << " only in pip's (first: " << (only_pip.empty() ? "" : only_pip[0]) << ")";
  EXPECT_GT(ours.size(), 500u);

  // A second app with the same requirements: the same dependency layer, made no second time.
  work_.write("other/handler.py",
              "import flask\ndef handler(payload, ctx):\n    return flask.__name__\n");
  work_.write("other/requirements.txt", kRequirements);
  const nlohmann::json other = build(work_ / "other", "acme-corp/other");
  ASSERT_TRUE(other.is_object());
  EXPECT_EQ(other["dependencies"]["layer"]["digest"], built["dependencies"]["layer"]["digest"]);
  EXPECT_EQ(other["dependencies"]["layer"]["cached"], true);

  // Another store elsewhere (as another machine would be): everything made again, bytecode
  // included, and byte for byte the same layer.
  auto elsewhere = run_builder("build " + shell_quote(work_ / "other") +
                               " --app acme-corp/third -o json --store " +
                               shell_quote(work_ / "elsewhere/store") + " --base " +
                               shell_quote(base_store_ + "/oci:ignite/base:python3.11-bookworm") +
                               " --no-index --find-links " + shell_quote(kWheelhouse));
  ASSERT_EQ(elsewhere.exit_code, 0) << elsewhere.err;
  const auto third = nlohmann::json::parse(elsewhere.out);
  EXPECT_EQ(third["dependencies"]["layer"]["cached"], false);
  EXPECT_EQ(third["dependencies"]["layer"]["digest"], built["dependencies"]["layer"]["digest"]);
}

}  // namespace
}  // namespace ignite::testing
