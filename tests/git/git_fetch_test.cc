// fetch_git_source against real peers: file://, git daemon and smart HTTP (git http-backend),
// each test with its own repositories and servers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <optional>

#include "builder/git/git_fetch.h"
#include "builder/git/libgit2_runtime.h"
#include "builder/source/code_hash.h"
#include "builder/source/intake.h"
#include "builder/util/file_io.h"
#include "tests/git/git_testing.h"

namespace ignite::git::testing {
namespace {

using ignite::testing::TempDir;

enum class Transport { kFile, kDaemon, kHttp };

std::string transport_name(const ::testing::TestParamInfo<Transport>& info) {
  switch (info.param) {
    case Transport::kFile:
      return "file";
    case Transport::kDaemon:
      return "daemon";
    case Transport::kHttp:
      return "http";
  }
  return "unknown";
}

const std::string kHandler = "def handler(payload, ctx):\n    return payload\n";

class GitFetchTest : public ::testing::TestWithParam<Transport> {
 protected:
  void SetUp() override {
    if (const std::string missing = missing_git_tools(); !missing.empty()) GTEST_SKIP() << missing;
    repo_.emplace(work_ / "repos/app", work_ / "home");
  }

  // The URL of repos/app over this test's transport (the server started on first use).
  std::string url() {
    switch (GetParam()) {
      case Transport::kFile:
        return "file://" + work_ / "repos/app";
      case Transport::kDaemon:
        if (!daemon_) daemon_ = std::make_unique<GitDaemon>(work_ / "repos", work_ / "home");
        return daemon_->url("app");
      case Transport::kHttp:
        if (!http_) http_ = std::make_unique<GitHttpServer>(work_ / "repos", work_ / "home");
        return http_->url("app");
    }
    return "";
  }

  Result<GitCheckout> fetch(const std::string& ref, const std::string& subdir = "") {
    return fetch_git_source({url(), ref, subdir}, work_ / ("scratch-" + std::to_string(++n_)));
  }

  std::string read(const GitCheckout& c, const std::string& rel) {
    auto data = read_file((c.tree / rel).string());
    EXPECT_TRUE(data.ok()) << data.status().to_string();
    return data.ok() ? *data : "";
  }

  TempDir work_;
  std::optional<TestRepo> repo_;
  std::unique_ptr<GitDaemon> daemon_;
  std::unique_ptr<GitHttpServer> http_;
  int n_ = 0;
};

TEST_P(GitFetchTest, BranchGivesItsTipAndTree) {
  repo_->write("handler.py", kHandler);
  repo_->commit("one");
  repo_->write("helper.py", "X = 2\n");
  const std::string tip = repo_->commit("two");
  repo_->git("branch other HEAD~1");

  auto c = fetch("main");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->commit, tip);
  EXPECT_EQ(c->ref, "main");
  EXPECT_EQ(c->url, url());
  EXPECT_EQ(read(*c, "handler.py"), kHandler);
  EXPECT_EQ(read(*c, "helper.py"), "X = 2\n");

  auto full = fetch("refs/heads/other");
  ASSERT_TRUE(full.ok()) << full.status().to_string();
  EXPECT_EQ(full->commit, repo_->git("rev-parse other"));
  EXPECT_FALSE(std::filesystem::exists(full->tree / "helper.py"));
}

TEST_P(GitFetchTest, TagsArePeeledToTheirCommit) {
  repo_->write("handler.py", kHandler);
  const std::string first = repo_->commit("one");
  repo_->git("tag -a v1 -m release-1");
  repo_->write("handler.py", kHandler + "# two\n");
  const std::string second = repo_->commit("two");
  repo_->git("tag light");
  repo_->write("handler.py", kHandler + "# three\n");
  repo_->commit("three");

  auto annotated = fetch("v1");
  ASSERT_TRUE(annotated.ok()) << annotated.status().to_string();
  EXPECT_EQ(annotated->commit, first);
  EXPECT_EQ(read(*annotated, "handler.py"), kHandler);

  auto lightweight = fetch("light");
  ASSERT_TRUE(lightweight.ok()) << lightweight.status().to_string();
  EXPECT_EQ(lightweight->commit, second);

  auto by_refname = fetch("refs/tags/v1");
  ASSERT_TRUE(by_refname.ok()) << by_refname.status().to_string();
  EXPECT_EQ(by_refname->commit, first);
}

TEST_P(GitFetchTest, CommitIdsFullAndAbbreviated) {
  repo_->write("handler.py", kHandler);
  const std::string old = repo_->commit("one");
  repo_->write("handler.py", kHandler + "# newer\n");
  const std::string tip = repo_->commit("two");

  // Not at any ref's tip: found in the history of the branches fetched.
  auto full = fetch(old);
  ASSERT_TRUE(full.ok()) << full.status().to_string();
  EXPECT_EQ(full->commit, old);
  EXPECT_EQ(read(*full, "handler.py"), kHandler);

  auto abbreviated = fetch(old.substr(0, 10));
  ASSERT_TRUE(abbreviated.ok()) << abbreviated.status().to_string();
  EXPECT_EQ(abbreviated->commit, old);

  // At a branch's tip, upper case as some tools print it.
  std::string upper = tip;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  auto at_tip = fetch(upper);
  ASSERT_TRUE(at_tip.ok()) << at_tip.status().to_string();
  EXPECT_EQ(at_tip->commit, tip);
}

TEST_P(GitFetchTest, UnknownRefIsNotFoundAndListsBranches) {
  repo_->write("handler.py", kHandler);
  repo_->commit("one");
  repo_->git("tag v1");

  auto c = fetch("no-such-branch");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kNotFound) << c.status().to_string();
  EXPECT_EQ(c.status().message(),
            "git: ref 'no-such-branch' not found in " + url() + " (branches: main; tags: v1)");

  // A well-formed id that no branch or tag reaches.
  auto commit = fetch("0123456789abcdef0123456789abcdef01234567");
  ASSERT_FALSE(commit.ok());
  EXPECT_EQ(commit.status().code(), Code::kNotFound) << commit.status().to_string();
  EXPECT_NE(commit.status().message().find("commit 0123456789abcdef0123456789abcdef01234567 "
                                           "not found in " +
                                           url()),
            std::string::npos)
      << commit.status().message();
}

TEST_P(GitFetchTest, SubdirIsTheTreeBuilt) {
  repo_->write("README.md", "top\n");
  repo_->write("functions/greet/handler.py", kHandler);
  repo_->write("functions/greet/lib/util.py", "U = 1\n");
  repo_->write("functions/greet/run.sh", "#!/bin/sh\n", 0755);
  ASSERT_EQ(::symlink("lib/util.py", (repo_->dir() + "/functions/greet/alias.py").c_str()), 0);
  repo_->commit("one");

  auto c = fetch("main", "functions/greet/");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->subdir, "functions/greet");
  EXPECT_FALSE(std::filesystem::exists(c->tree / "README.md"));
  EXPECT_EQ(read(*c, "lib/util.py"), "U = 1\n");

  // The codeHash of the checkout is that of the same files as a plain directory.
  TempDir plain;
  plain.write("handler.py", kHandler);
  plain.write("lib/util.py", "U = 1\n");
  plain.write("run.sh", "#!/bin/sh\n", 0755);
  plain.symlink("alias.py", "lib/util.py");
  auto from_git = read_source_path(c->tree.string(), {});
  auto from_dir = read_source_path(plain.path(), {});
  ASSERT_TRUE(from_git.ok()) << from_git.status().to_string();
  ASSERT_TRUE(from_dir.ok()) << from_dir.status().to_string();
  EXPECT_EQ(code_hash_input(*from_git), code_hash_input(*from_dir));
  EXPECT_EQ(code_hash(*from_git), code_hash(*from_dir));
}

TEST_P(GitFetchTest, MissingSubdirAndSubdirThatIsAFile) {
  repo_->write("handler.py", kHandler);
  const std::string tip = repo_->commit("one");

  auto missing = fetch("main", "functions/none");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "git: subdir 'functions/none' not found in commit " + tip + " of " + url());

  auto file = fetch("main", "handler.py");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(file.status().message(), "git: subdir 'handler.py' in commit " + tip + " of " + url() +
                                         " is a file, not a directory");
}

TEST_P(GitFetchTest, SubmoduleIsRefusedByPath) {
  repo_->write("handler.py", kHandler);
  const std::string first = repo_->commit("one");
  // A gitlink entry, as `git submodule add` records one, without fetching anything.
  repo_->git("update-index --add --cacheinfo 160000," + first + ",vendor/lib");
  repo_->write(".gitmodules", "[submodule \"vendor/lib\"]\n\tpath = vendor/lib\n\turl = ../lib\n");
  repo_->git("add .gitmodules");
  repo_->git("commit -q -m submodule");

  auto c = fetch("main");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kInvalidArgument) << c.status().to_string();
  EXPECT_NE(c.status().message().find("submodule 'vendor/lib': submodules are not fetched"),
            std::string::npos)
      << c.status().message();

  // A subdir without the submodule builds.
  repo_->write("fn/handler.py", kHandler);
  repo_->commit("fn");
  auto sub = fetch("main", "fn");
  EXPECT_TRUE(sub.ok()) << sub.status().to_string();
}

TEST_P(GitFetchTest, FilesAreTheBlobsBytesWithoutFiltersOrLfs) {
  const std::string pointer =
      "version https://git-lfs.github.com/spec/v1\n"
      "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
      "size 12345\n";
  repo_->write("handler.py", kHandler);
  repo_->write("model.bin", pointer);
  repo_->write("notes.txt", "line one\nline two\n");
  repo_->write("id.py", "# $Id$\n");
  // LFS, CRLF conversion and ident expansion: a checkout that honoured these would change bytes.
  repo_->write(".gitattributes",
               "*.bin filter=lfs diff=lfs merge=lfs -text\n"
               "*.txt text eol=crlf\n*.py ident\n");
  repo_->commit("attributes");

  auto c = fetch("main");
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(read(*c, "model.bin"), pointer);
  EXPECT_EQ(read(*c, "notes.txt"), "line one\nline two\n");
  EXPECT_EQ(read(*c, "id.py"), "# $Id$\n");

  // docs/git-codehash.sh, from the repository alone, agrees with the builder's codeHash.
  auto tree = read_source_path(c->tree.string(), {});
  ASSERT_TRUE(tree.ok()) << tree.status().to_string();
  std::string script_out;
  ASSERT_EQ(ignite::testing::run_command(
                git_env(work_ / "home") + " /bin/bash " IGNITE_SOURCE_DIR "/docs/git-codehash.sh " +
                    ignite::testing::shell_quote(repo_->dir()) + " " + c->commit,
                &script_out),
            0);
  EXPECT_EQ(script_out, code_hash(*tree).to_string() + "\n");
}

TEST_P(GitFetchTest, ARetryReusesTheScratchDirectory) {
  repo_->write("handler.py", kHandler);
  const std::string tip = repo_->commit("one");
  const std::filesystem::path scratch = work_ / "scratch-again";
  auto first = fetch_git_source({url(), "main", ""}, scratch);
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  auto second = fetch_git_source({url(), "main", ""}, scratch);
  ASSERT_TRUE(second.ok()) << second.status().to_string();
  EXPECT_EQ(second->commit, tip);
}

INSTANTIATE_TEST_SUITE_P(Transports, GitFetchTest,
                         ::testing::Values(Transport::kFile, Transport::kDaemon, Transport::kHttp),
                         transport_name);

class GitUnreachableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string missing = missing_git_tools(); !missing.empty()) GTEST_SKIP() << missing;
  }
  TempDir work_;
};

TEST_F(GitUnreachableTest, ClosedPortIsUnavailableAndNamesTheUrl) {
  const std::string port = std::to_string(closed_port());
  for (const std::string& url :
       {"git://127.0.0.1:" + port + "/app", "http://127.0.0.1:" + port + "/app"}) {
    auto c = fetch_git_source({url, "main", ""}, work_ / "scratch");
    ASSERT_FALSE(c.ok()) << url;
    EXPECT_EQ(c.status().code(), Code::kUnavailable) << c.status().to_string();
    EXPECT_TRUE(c.status().message().starts_with("git: connecting to " + url + ": "))
        << c.status().message();
  }
}

TEST_F(GitUnreachableTest, MissingRepositoryIsNotFound) {
  const std::string url = "file://" + work_ / "nothing-here";
  auto c = fetch_git_source({url, "main", ""}, work_ / "scratch");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kNotFound) << c.status().to_string();
  EXPECT_TRUE(c.status().message().starts_with("git: connecting to " + url + ": "))
      << c.status().message();
}

TEST_F(GitUnreachableTest, RepositoryMissingOnTheServerIsNotFound) {
  TestRepo repo(work_ / "repos/app", work_ / "home");
  GitDaemon daemon(work_ / "repos", work_ / "home");
  GitHttpServer http(work_ / "repos", work_ / "home");
  for (const std::string& url : {daemon.url("missing"), http.url("missing")}) {
    auto c = fetch_git_source({url, "main", ""}, work_ / "scratch");
    ASSERT_FALSE(c.ok()) << url;
    EXPECT_EQ(c.status().code(), Code::kNotFound) << c.status().to_string();
    EXPECT_TRUE(c.status().message().starts_with("git: connecting to " + url + ": "))
        << c.status().message();
  }
}

TEST_F(GitUnreachableTest, PastDeadlineIsUnavailable) {
  TestRepo repo(work_ / "repos/app", work_ / "home");
  repo.write("handler.py", kHandler);
  repo.commit("one");
  GitFetchOptions options;
  options.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  const std::string url = "file://" + work_ / "repos/app";
  auto c = fetch_git_source({url, "main", ""}, work_ / "scratch", options);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kUnavailable);
  EXPECT_EQ(
      c.status().message(),
      "git: connecting to " + url + ": stopped at the fetch's deadline (the server was too slow)");
}

// Smart HTTP over TLS: libgit2's TLS layer (mbedTLS in Debian's build) over the builder's
// deadline-bound socket stream, checking the server's certificate against a test CA.
TEST_F(GitUnreachableTest, HttpsWithATrustedCertificate) {
  if (::access("/usr/bin/openssl", X_OK) != 0) GTEST_SKIP() << "/usr/bin/openssl is missing";
  TestRepo repo(work_ / "repos/app", work_ / "home");
  repo.write("handler.py", kHandler);
  const std::string tip = repo.commit("one");
  const TlsFiles tls = make_localhost_certificate(work_.path());
  GitHttpServer https(work_ / "repos", work_ / "home", &tls);

  // Not yet trusted: refused for the certificate, and not retried.
  auto untrusted = fetch_git_source({https.url("app"), "main", ""}, work_ / "scratch");
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.status().code(), Code::kFailedPrecondition) << untrusted.status().to_string();

  // The test's CA for the rest of this process (the only test here that uses TLS).
  ensure_libgit2();
  ASSERT_EQ(git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, tls.cert.c_str(), nullptr), 0);
  GitFetchOptions options;
  options.deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  auto c = fetch_git_source({https.url("app"), "main", ""}, work_ / "scratch", options);
  ASSERT_TRUE(c.ok()) << c.status().to_string();
  EXPECT_EQ(c->commit, tip);
}

// A server that accepts connections (the kernel completes them: listen() without accept()) and
// never says a word: no libgit2 callback runs, only the socket stream's deadline ends the fetch.
TEST_F(GitUnreachableTest, SilentServerIsCutOffAtTheDeadline) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 16), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string port = std::to_string(ntohs(addr.sin_port));
  for (const std::string& url :
       {"git://127.0.0.1:" + port + "/app", "http://127.0.0.1:" + port + "/app"}) {
    GitFetchOptions options;
    options.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    auto c = fetch_git_source({url, "main", ""}, work_ / "scratch", options);
    ASSERT_FALSE(c.ok()) << url;
    EXPECT_EQ(c.status().code(), Code::kUnavailable) << c.status().to_string();
    EXPECT_EQ(c.status().message(),
              "git: connecting to " + url +
                  ": stopped at the fetch's deadline (the server was too slow)");
  }
  ::close(fd);
}

TEST_F(GitUnreachableTest, CredentialsInTheUrlAreNeverShown) {
  TestRepo repo(work_ / "repos/app", work_ / "home");
  repo.write("handler.py", kHandler);
  repo.commit("one");
  GitHttpServer http(work_ / "repos", work_ / "home");
  std::string url = http.url("app");
  url.insert(std::string("http://").size(), "builder:s3cret-token@");
  auto ok = fetch_git_source({url, "main", ""}, work_ / "scratch");
  ASSERT_TRUE(ok.ok()) << ok.status().to_string();
  EXPECT_EQ(ok->url, http.url("app"));
  auto missing = fetch_git_source({url, "nope", ""}, work_ / "scratch");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message().find("s3cret"), std::string::npos)
      << missing.status().message();
}

}  // namespace
}  // namespace ignite::git::testing
