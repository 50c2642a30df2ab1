// Nodes that share nothing but PostgreSQL and the registry (issue 16, docs/deploy.md): the real
// binary, a real PostgreSQL (tests/testing/postgres_server.h) and Debian's docker-registry. Each
// "node" is a store directory of its own (its caches); the records are in one database.
//
// - Three worker processes on two nodes build 200 versions of 10 apps submitted through both
//   nodes' APIs: every build succeeds once, each app's versions are 1..20 with no gap and no
//   duplicate, every tag names its version's image, and a node's directory can be thrown away.
// - A node SIGKILLed mid-build (IGNITE_FAULT=kill-after:<stage>) loses nothing: the other node
//   takes the build over when its lease ends, completing a publication the dead node left half
//   done from the registry, since its image is not in the other node's cache.
// - PostgreSQL restarted mid-run loses nothing: workers wait for it and go on. Started before
//   it, serve and workers wait for it too (a one-shot `worker --until-idle` does not).
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "builder/store/postgres/pg_build_queue.h"
#include "dodil/ignite/builder/v1/build.pb.h"
#include "tests/events/event_receiver.h"
#include "tests/pipeline/pipeline_testing.h"
#include "tests/registry/registry_servers.h"
#include "tests/service/api_testing.h"
#include "tests/service/serve_process.h"
#include "tests/testing/child_process.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/temp_dir.h"

namespace ignite::service {
namespace {

namespace bv1 = dodil::ignite::builder::v1;
using ignite::testing::ChildProcess;
using ignite::testing::ServeProcess;
using ignite::testing::sh;
using ignite::testing::shell_quote;
using ignite::testing::wait_until;

// How long a whole run may take before the test gives up (a bound, not a timing).
constexpr auto kRunBound = std::chrono::minutes(8);

class SharedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IGNITE_TAKE_POSTGRES_DATABASE(url_);
    registry_ = std::make_unique<registry::testing::RegistryServer>(registry::testing::RegistryConfig{});
    base_ = ignite::testing::make_synthetic_base(dir_.path() + "/base");
  }

  std::string node_dir(const std::string& node) const { return dir_.path() + "/" + node; }

  // What every command of node `node` is given: its directory, the shared database, the registry.
  std::string node_flags(const std::string& node) const {
    return "--store " + shell_quote(node_dir(node)) + " --database " + shell_quote(url_) +
           " --registry " + registry_->host() + " --plain-http --base " + shell_quote(base_);
  }

  // `ignite-builder worker` on `node`, in the background, with `env` (VAR=VALUE ...) set.
  std::unique_ptr<ChildProcess> start_worker(const std::string& node, const std::string& id,
                                             const std::vector<std::string>& env = {},
                                             int lease_seconds = 60) {
    std::vector<std::string> argv = {"/usr/bin/env", "SOURCE_DATE_EPOCH=0"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), {IGNITE_BINARY, "worker", "--id", id, "--lease",
                             std::to_string(lease_seconds), "--store", node_dir(node),
                             "--database", url_, "--registry", registry_->host(), "--plain-http",
                             "--base", base_});
    return std::make_unique<ChildProcess>(argv, dir_.path() + "/" + id + ".log");
  }

  std::string worker_log(const std::string& id) const {
    return ignite::testing::read_text(dir_.path() + "/" + id + ".log");
  }

  // Every build of the database, as `builds -o json` lists them.
  nlohmann::json all_builds(const std::string& database) const {
    const std::string out = sh(std::string(IGNITE_BINARY) + " builds --store " +
                               shell_quote(dir_.path() + "/reader") + " --database " +
                               shell_quote(database) + " -o json 2>&1 || true");
    auto j = nlohmann::json::parse(out, nullptr, false);
    return j.is_object() && j.contains("builds") ? j["builds"] : nlohmann::json::array();
  }

  // Waits (bounded) until every one of `expected` builds has finished; true when they have.
  // Gives up at once when one of `workers` has stopped (a worker only stops when told to).
  bool wait_for_builds(std::size_t expected, const std::string& database,
                       const std::vector<ChildProcess*>& workers) const {
    bool stopped = false;
    const bool done = wait_until(kRunBound, [&] {
      // Each look runs `builds`, a process and a connection: a few a second is enough.
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      for (ChildProcess* w : workers) stopped = stopped || !w->running();
      if (stopped) return true;
      const nlohmann::json builds = all_builds(database);
      if (builds.size() < expected) return false;
      for (const auto& b : builds) {
        const std::string state = b.value("state", "");
        if (state != "SUCCEEDED" && state != "FAILED" && state != "CANCELLED") return false;
      }
      return true;
    });
    EXPECT_FALSE(stopped) << "a worker stopped before the builds were done";
    return done && !stopped;
  }

  // The digest the registry's tag names, read from its storage ("" when there is none).
  std::string tagged_digest(const std::string& repository, const std::string& tag) const {
    return sh("cat " +
              shell_quote(registry_->storage() + "/docker/registry/v2/repositories/" +
                          repository + "/_manifests/tags/" + tag + "/current/link") +
              " 2>/dev/null || true");
  }

  // The app's versions as `versions -o json` lists them, read by a node with an empty directory.
  nlohmann::json recorded_versions(const std::string& app, const std::string& database) const {
    const std::string listed = sh(std::string(IGNITE_BINARY) + " versions " + app + " --store " +
                                  shell_quote(dir_.path() + "/reader") + " --database " +
                                  shell_quote(database) + " -o json 2>&1 || true");
    auto j = nlohmann::json::parse(listed, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("versions")) << listed;
    return j.is_object() && j.contains("versions") ? j["versions"] : nlohmann::json::array();
  }

  // Checks what every run must end with: each build SUCCEEDED once, each app's versions 1..N
  // with no gap and no duplicate, the version store agreeing with the builds, and each tag vN in
  // the registry naming version N's image. Returns the builds by id.
  std::map<std::string, nlohmann::json> expect_every_version_once(
      std::size_t builds_expected, const std::string& database) {
    std::map<std::string, nlohmann::json> by_id;
    std::map<std::string, std::map<std::int64_t, std::string>> versions_by_app;  // app -> N -> digest
    const nlohmann::json builds = all_builds(database);
    EXPECT_EQ(builds.size(), builds_expected);
    for (const auto& b : builds) {
      const std::string id = b.value("id", "");
      by_id[id] = b;
      EXPECT_EQ(b.value("state", ""), "SUCCEEDED") << b.dump();
      const std::string app = b.value("app", "");
      const std::int64_t n = b.value("version", std::int64_t{0});
      EXPECT_TRUE(versions_by_app[app].emplace(n, b.value("digest", "")).second)
          << app << " v" << n << " was given to two builds";
    }
    for (const auto& [app, versions] : versions_by_app) {
      std::int64_t expected = 1;
      for (const auto& [n, digest] : versions) EXPECT_EQ(n, expected++) << app << " has a gap";
      const nlohmann::json recorded = recorded_versions(app, database);
      EXPECT_EQ(recorded.size(), versions.size()) << app;
      for (const auto& v : recorded) {
        const std::int64_t n = v.value("version", std::int64_t{0});
        const std::string digest = v.value("digest", "");
        EXPECT_EQ(versions.count(n) ? versions.at(n) : "(none)", digest) << app << " v" << n;
        EXPECT_EQ(tagged_digest(app, "v" + std::to_string(n)), digest) << app << " v" << n;
      }
    }
    return by_id;
  }

  ignite::testing::TempDir dir_;
  std::string url_;
  std::unique_ptr<registry::testing::RegistryServer> registry_;
  std::string base_;
};

TEST_F(SharedStoreTest, ThreeWorkersOnTwoNodesBuild200VersionsOfTenAppsOnce) {
  constexpr int kApps = 10;
  constexpr int kPerApp = 20;
  // Each node answers the API (no workers of its own) and runs worker processes: two on a, one
  // on b. Both servers deliver events to the control plane's receiver: one at a time holds the
  // delivery lease.
  const std::string secret = "shared-store-secret";
  ignite::testing::EventReceiver receiver(secret);
  sh("printf %s " + shell_quote(secret) + " > " + shell_quote(dir_.path() + "/secret"));
  const std::string events = " --events-url " + receiver.url() + " --events-secret-file " +
                             shell_quote(dir_.path() + "/secret");
  ServeProcess api_a(dir_.path(), "serve-a", "SOURCE_DATE_EPOCH=0",
                     node_flags("node-a") + " --workers 0" + events);
  ServeProcess api_b(dir_.path(), "serve-b", "SOURCE_DATE_EPOCH=0",
                     node_flags("node-b") + " --workers 0" + events);
  ASSERT_TRUE(api_a.listening()) << api_a.log();
  ASSERT_TRUE(api_b.listening()) << api_b.log();
  auto a1 = start_worker("node-a", "a1");
  auto a2 = start_worker("node-a", "a2");
  auto b1 = start_worker("node-b", "b1");

  std::vector<std::string> ids;
  for (int i = 0; i < kPerApp; ++i) {
    for (int app = 0; app < kApps; ++app) {
      ServeProcess& api = (i + app) % 2 == 0 ? api_a : api_b;
      const std::string name = "acme-corp/app" + std::to_string(app);
      auto r = api.post("/v1/builds",
                        submit_json(name, ignite::testing::echo_handler(
                                              name + " build " + std::to_string(i))));
      ASSERT_EQ(r.status, 200) << r.body;
      ids.push_back(parsed<bv1::Build>(r.body).id());
    }
  }
  ASSERT_TRUE(wait_for_builds(ids.size(), url_, {a1.get(), a2.get(), b1.get()}))
      << "a1:\n" << worker_log("a1") << "\nb1:\n" << worker_log("b1");
  const auto by_id = expect_every_version_once(ids.size(), url_);
  for (const auto& id : ids) EXPECT_TRUE(by_id.count(id)) << id;

  // Any node answers for any build: one submitted through a is read through b, and the other
  // way round.
  for (ServeProcess* api : {&api_a, &api_b}) {
    for (const std::string& id : {ids.front(), ids.back()}) {
      auto got = api->get("/v1/builds/" + id);
      ASSERT_EQ(got.status, 200) << got.body;
      EXPECT_EQ(parsed<bv1::Build>(got.body).state(), bv1::BUILD_STATE_SUCCEEDED);
    }
  }
  // Every event of every build reached the receiver once, in order, from whichever server held
  // the delivery lease.
  auto queue = store::PgBuildQueue::open(url_);
  ASSERT_TRUE(queue.ok()) << queue.status().to_string();
  std::map<std::string, std::size_t> recorded;
  for (const auto& id : ids) {
    auto e = queue->events(id, 0);
    ASSERT_TRUE(e.ok()) << e.status().to_string();
    recorded[id] = e->size();
  }
  const auto all_received = [&] {
    const auto got = receiver.builds();
    for (const auto& [id, n] : recorded) {
      if (!got.count(id) || got.at(id).size() != n) return false;
    }
    return true;
  };
  EXPECT_TRUE(wait_until(std::chrono::minutes(2), all_received))
      << receiver.taken() << " events taken";
  EXPECT_TRUE(receiver.out_of_order().empty());
  EXPECT_EQ(receiver.bad_signatures(), 0u);
  // Either node's /metrics reads the shared queue.
  auto metrics = api_b.get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("ignite_builds{"), std::string::npos) << metrics.body;
  EXPECT_EQ(metrics.body.find("are missing"), std::string::npos) << metrics.body;

  // The nodes keep no records: no database file, and a's directory can go without loss.
  EXPECT_EQ(sh("ls " + shell_quote(node_dir("node-a")) + "/ignite.db " +
               shell_quote(node_dir("node-b")) + "/ignite.db 2>/dev/null || true"),
            "");
  a1.reset();
  a2.reset();
  sh("rm -rf " + shell_quote(node_dir("node-a")));
  EXPECT_EQ(recorded_versions("acme-corp/app3", url_).size(), static_cast<std::size_t>(kPerApp));
  // Every worker took part (printed in the log, not asserted: the split is the machine's).
  for (const std::string id : {"a1", "a2", "b1"}) {
    std::cout << id << " published "
              << sh("grep -c ' published ' " + shell_quote(dir_.path() + "/" + id + ".log") +
                    " || true");
  }
}

// A node's worker dies (SIGKILL, by the fault hook) just after `stage` of its first build; the
// other node's worker, whose cache has none of that build, takes it over once its lease ends.
class SharedStoreKillTest : public SharedStoreTest,
                            public ::testing::WithParamInterface<std::string> {};

TEST_P(SharedStoreKillTest, ANodeKilledMidBuildLosesNothing) {
  const std::string stage = GetParam();
  ServeProcess api(dir_.path(), "serve", "SOURCE_DATE_EPOCH=0",
                   node_flags("node-b") + " --workers 0");
  ASSERT_TRUE(api.listening()) << api.log();
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    auto r = api.post("/v1/builds", submit_json("acme-corp/greet",
                                                ignite::testing::echo_handler(
                                                    "build " + std::to_string(i))));
    ASSERT_EQ(r.status, 200) << r.body;
    ids.push_back(parsed<bv1::Build>(r.body).id());
  }
  auto dying = start_worker("node-a", "dying", {"IGNITE_FAULT=kill-after:" + stage}, 5);
  ASSERT_TRUE(wait_until(std::chrono::minutes(3), [&] { return !dying->running(); }))
      << worker_log("dying");
  // It died by the fault in the middle of a build (not at its start, by a usage error): that
  // build is RUNNING under its lease, on its first attempt.
  int running = 0;
  for (const auto& build : all_builds(url_)) running += build.value("state", "") == "RUNNING";
  ASSERT_EQ(running, 1) << all_builds(url_).dump() << worker_log("dying");
  auto taking_over = start_worker("node-b", "taking-over", {}, 5);
  ASSERT_TRUE(wait_for_builds(ids.size(), url_, {taking_over.get()}))
      << worker_log("taking-over");
  const auto by_id = expect_every_version_once(ids.size(), url_);
  ASSERT_TRUE(by_id.count(ids.front()));
  const nlohmann::json& first = by_id.at(ids.front());
  if (stage == "image") {
    // Killed before anything was published: the build was claimed again once its lease ended.
    EXPECT_GE(first.value("attempts", 0), 2) << first.dump();
  } else {
    // Killed with its publication of v1 half done (its intent recorded; the tag perhaps set):
    // the other node's next publication of the app completed it from the registry, and the
    // build became SUCCEEDED with it, on its first attempt.
    EXPECT_EQ(first.value("version", 0), 1) << first.dump();
    const nlohmann::json v1 = recorded_versions("acme-corp/greet", url_).at(0);
    EXPECT_NE(v1["inputs"].value("recovered", "").find(ids.front()), std::string::npos)
        << v1.dump();
  }
}

INSTANTIATE_TEST_SUITE_P(Stages, SharedStoreKillTest,
                         ::testing::Values("image", "intent", "tag"),
                         [](const auto& stage) { return stage.param; });

TEST_F(SharedStoreTest, PostgresRestartedMidRunLosesNothing) {
  // A server of this test's own: the shared one serves the other tests of the program.
  ignite::testing::PostgresServer pg;
  ASSERT_TRUE(pg.ready()) << pg.log_tail();
  const std::string url = pg.create_database();
  ASSERT_FALSE(url.empty());
  constexpr int kBuilds = 16;
  const std::string submit = std::string(IGNITE_BINARY) + " submit " +
                             shell_quote(dir_.path() + "/handler.py") + " --store " +
                             shell_quote(node_dir("node-a")) + " --database " + shell_quote(url);
  for (int i = 0; i < kBuilds; ++i) {
    sh("echo " + shell_quote(ignite::testing::echo_handler("build " + std::to_string(i))) + " > " +
       shell_quote(dir_.path() + "/handler.py"));
    sh(submit + " --org acme-corp --app app" + std::to_string(i % 2) + " --max-attempts 5");
  }
  const auto worker = [&](const std::string& node, const std::string& id) {
    std::vector<std::string> argv = {
        "/usr/bin/env", "SOURCE_DATE_EPOCH=0", IGNITE_BINARY, "worker", "--id", id, "--lease", "5",
        "--store", node_dir(node), "--database", url, "--registry", registry_->host(),
        "--plain-http", "--base", base_};
    return std::make_unique<ChildProcess>(argv, dir_.path() + "/" + id + ".log");
  };
  auto a = worker("node-a", "pg-a");
  auto b = worker("node-b", "pg-b");
  const auto succeeded = [&] {
    int n = 0;
    for (const auto& build : all_builds(url)) n += build.value("state", "") == "SUCCEEDED";
    return n;
  };
  ASSERT_TRUE(wait_until(kRunBound, [&] { return succeeded() >= 3; })) << worker_log("pg-a");
  pg.stop();
  // Long enough for every worker to meet the outage (a claim, a stage, a heartbeat).
  std::this_thread::sleep_for(std::chrono::seconds(3));
  pg.start_again();
  ASSERT_TRUE(wait_for_builds(kBuilds, url, {a.get(), b.get()}))
      << worker_log("pg-a") << worker_log("pg-b");
  expect_every_version_once(kBuilds, url);
  EXPECT_TRUE(a->running()) << worker_log("pg-a");
  EXPECT_TRUE(b->running()) << worker_log("pg-b");
}

TEST_F(SharedStoreTest, ServeAndWorkersStartedBeforePostgresWaitForIt) {
  // A site starting at once may start its builders before its database: they wait for it.
  ignite::testing::PostgresServer pg;
  ASSERT_TRUE(pg.ready()) << pg.log_tail();
  url_ = pg.create_database();  // this test's own server: node_flags and start_worker use it
  ASSERT_FALSE(url_.empty());
  pg.stop();
  auto worker = start_worker("node-a", "early");
  // ServeProcess returns once serve listens, which it does only once the database answers.
  std::unique_ptr<ServeProcess> api;
  std::thread starting([&] {
    api = std::make_unique<ServeProcess>(dir_.path(), "serve-early", "SOURCE_DATE_EPOCH=0",
                                         node_flags("node-b") + " --workers 0");
  });
  // Long enough for the worker and serve to meet the closed port more than once. The server is
  // started again on this thread: its parent-death signal follows the thread that started it.
  std::this_thread::sleep_for(std::chrono::seconds(4));
  pg.start_again();
  starting.join();
  ASSERT_TRUE(api->listening()) << api->log();
  EXPECT_NE(api->log().find("ignite-builder: serve: "), std::string::npos) << api->log();
  EXPECT_NE(api->log().find("; trying again in 1 s"), std::string::npos) << api->log();
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    auto r = api->post("/v1/builds",
                       submit_json("acme-corp/early",
                                   ignite::testing::echo_handler("early " + std::to_string(i))));
    ASSERT_EQ(r.status, 200) << r.body;
    ids.push_back(parsed<bv1::Build>(r.body).id());
  }
  ASSERT_TRUE(wait_for_builds(ids.size(), url_, {worker.get()})) << worker_log("early");
  expect_every_version_once(ids.size(), url_);
  EXPECT_NE(worker_log("early").find("ignite-builder: worker: "), std::string::npos)
      << worker_log("early");
  EXPECT_NE(worker_log("early").find("; trying again in 1 s"), std::string::npos)
      << worker_log("early");
}

TEST_F(SharedStoreTest, AOneShotWorkerDoesNotWaitForAnUnreachableDatabase) {
  // `worker --until-idle` is a one-shot drain (a script, a CI job): it says so and exits.
  ignite::testing::PostgresServer pg;
  ASSERT_TRUE(pg.ready()) << pg.log_tail();
  url_ = pg.create_database();
  ASSERT_FALSE(url_.empty());
  pg.stop();
  std::string out;
  const int rc = ignite::testing::run_command(
      std::string(IGNITE_BINARY) + " worker --until-idle " + node_flags("node-a") + " 2>&1", &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("connecting to postgres://"), std::string::npos) << out;
  EXPECT_EQ(out.find("trying again"), std::string::npos) << out;
}

}  // namespace
}  // namespace ignite::service
