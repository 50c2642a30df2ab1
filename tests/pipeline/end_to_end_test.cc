// End to end on the real Python base: build a function, read the image with skopeo and umoci,
// run the runtime host from the unpacked root filesystem as 65532:65532, POST a JSON body.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tests/pipeline/pipeline_testing.h"

namespace ignite::testing {
namespace {

const char* kHandler = R"(import json
import os

from helpers import describe


def handler(payload, ctx):
    body = json.loads(payload)
    return {"hello": body["name"], "ctx": ctx, "uid": os.getuid(), "cwd": os.getcwd(),
            "note": describe()}
)";

TEST(EndToEndTest, BuildInspectUnpackRunAndCall) {
  std::string why;
  const std::string base_store = python_base_store(&why);
  if (base_store.empty()) {
    if (std::getenv("CI")) FAIL() << "CI must run this test: " << why;
    GTEST_SKIP() << why;
  }
  TempDir work;
  work.write("src/handler.py", kHandler);
  work.write("src/helpers.py", "def describe():\n    return 'from a sibling module'\n");
  const std::string store = work / "store";
  auto built = run_builder("build " + shell_quote(work / "src") + " --org acme-corp --app e2e -o json --store " +
                           shell_quote(store) + " --base " +
                           shell_quote(base_store + "/oci:ignite/base:python3.11-bookworm"));
  ASSERT_EQ(built.exit_code, 0) << built.err;
  auto result = nlohmann::json::parse(built.out);
  EXPECT_EQ(result["version"], 1);
  EXPECT_EQ(result["reference"], "acme-corp/e2e:v1");
  const std::string image = "oci:" + store + "/oci:acme-corp/e2e:v1";

  // skopeo reads the manifest and config.
  auto inspect = nlohmann::json::parse(sh("skopeo inspect " + shell_quote(image)));
  EXPECT_EQ(inspect["Digest"], result["digest"]);
  EXPECT_EQ(inspect["Labels"]["dev.ignite.code-hash"], result["codeHash"]);
  EXPECT_EQ(inspect["Architecture"], "amd64");
  auto config = nlohmann::json::parse(sh("skopeo inspect --config " + shell_quote(image)));
  EXPECT_EQ(config["config"]["User"], "65532:65532");
  EXPECT_EQ(config["config"]["WorkingDir"], "/app");
  EXPECT_EQ(config["config"]["Entrypoint"][0], "/usr/bin/python3");
  EXPECT_TRUE(config["config"]["ExposedPorts"].contains("8080/tcp"));
  const auto& env = config["config"]["Env"];
  EXPECT_NE(std::find(env.begin(), env.end(), "IGNITE_FUNCTION_ID=acme-corp/e2e"), env.end());
  EXPECT_EQ(config["rootfs"]["diff_ids"].size(), inspect["Layers"].size());

  // umoci unpacks it; the app is exactly the draft's tree under /app.
  sh("umoci unpack --image " + shell_quote(store + "/oci:acme-corp/e2e:v1") + " " +
     shell_quote(work / "bundle") + " >/dev/null");
  const std::string rootfs = work / "bundle/rootfs";
  EXPECT_EQ(sh("cd " + shell_quote(rootfs + "/app") + " && ls -A"), "handler.py\nhelpers.py\n");
  EXPECT_EQ(sh("stat -c '%a %u:%g' " + shell_quote(rootfs + "/app/handler.py")), "644 0:0\n");

  // The entrypoint, as 65532:65532, from /app, with the image's environment; PORT=0 picks a port.
  std::string entry;
  for (const auto& arg : config["config"]["Entrypoint"]) entry += " " + shell_quote(arg.get<std::string>());
  std::string envs;
  for (const auto& e : env) {
    std::string kv = e.get<std::string>();
    if (!kv.starts_with("PORT=")) envs += " " + shell_quote(kv);
  }
  const std::string log = work / "host.log";
  sh("env -i" + envs + " PORT=0 chroot --userspec=65532:65532 " + shell_quote(rootfs) +
     " /bin/sh -c " + shell_quote("cd /app && exec" + entry) + " >" + shell_quote(log) +
     " 2>&1 & echo $! > " + shell_quote(work / "host.pid"));
  struct Stop {
    std::string pid_file;
    ~Stop() {
      std::string out;
      run_command("kill $(cat " + shell_quote(pid_file) + ") 2>/dev/null", &out);
    }
  } stop{work / "host.pid"};

  const std::string port = wait_for_host_port(log, 10);
  ASSERT_FALSE(port.empty()) << "the host did not start: " << sh("cat " + shell_quote(log));
  const std::string url = "http://127.0.0.1:" + port;
  EXPECT_EQ(sh("curl -s -o /dev/null -w '%{http_code}' " + url + "/_ignite/ready"), "200");

  const std::string headers = work / "headers";
  auto body = nlohmann::json::parse(sh("curl -s -D " + shell_quote(headers) +
                                       " -H 'X-Ignite-Execution-Id: 01JD3KZ6Q8R0000000000000AB' "
                                       "--data-binary '{\"name\": \"Ada\"}' " + url + "/greet"));
  EXPECT_EQ(body["hello"], "Ada");
  EXPECT_EQ(body["uid"], 65532);
  EXPECT_EQ(body["cwd"], "/app");
  EXPECT_EQ(body["note"], "from a sibling module");
  EXPECT_EQ(body["ctx"], nlohmann::json({{"execution_id", "01JD3KZ6Q8R0000000000000AB"},
                                         {"function_id", "acme-corp/e2e"},
                                         {"organization_id", "acme-corp"}}));
  const std::string h = sh("cat " + shell_quote(headers));
  EXPECT_NE(h.find("Content-Type: application/json"), std::string::npos) << h;
  EXPECT_NE(h.find("X-Ignite-Execution-Id: 01JD3KZ6Q8R0000000000000AB"), std::string::npos) << h;
}

}  // namespace
}  // namespace ignite::testing
