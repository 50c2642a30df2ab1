// Checking a git source before anything is fetched, and the codes given to libgit2's errors.
#include <gtest/gtest.h>

#include <git2.h>

#include "builder/git/git_source.h"
#include "builder/git/libgit2_error.h"

namespace ignite::git {
namespace {

Status check(const std::string& url, const std::string& ref = "main",
             const std::string& subdir = "") {
  return validate_git_source({url, ref, subdir});
}

TEST(GitSourceTest, AcceptsTheFourSchemes) {
  for (const char* url :
       {"file:///srv/git/app", "git://git.example.com/app.git", "http://127.0.0.1:8080/app",
        "https://user:tok@example.com/a/b.git", "HTTPS://example.com/app"}) {
    EXPECT_TRUE(check(url).ok()) << url << ": " << check(url).to_string();
  }
}

TEST(GitSourceTest, RefusesOtherUrlsWithAHint) {
  struct Case {
    std::string url, message;
  };
  const std::vector<Case> cases = {
      {"", "git: url is required"},
      {"ssh://git@example.com/app.git",
       "git: url 'ssh://****@example.com/app.git': ssh is not supported (the builder holds no "
       "SSH keys); use https:// with a token, or git://"},
      {"git@example.com:acme/app.git",
       "git: url 'git@example.com:acme/app.git' is an ssh (scp-like) address; ssh is not "
       "supported (the builder holds no SSH keys): use https:// with a token, or git://"},
      {"ext::sh -c touch% /tmp/pwned",
       "git: url 'ext::sh -c touch% /tmp/pwned' holds a space or a control character"},
      {"ext::sh",
       "git: url 'ext::sh' names a remote helper (transport::address); only file://, git://, "
       "http:// and https:// URLs are fetched"},
      {"/srv/git/app",
       "git: url '/srv/git/app' is not a URL; a local repository is "
       "file:///absolute/path"},
      {"ftp://example.com/app",
       "git: url 'ftp://example.com/app': unsupported scheme 'ftp'; "
       "only file://, git://, http:// and https:// are fetched"},
      {"file://relative/app",
       "git: url 'file://relative/app': a file URL names an absolute "
       "path, file:///path/to/repo"},
  };
  for (const Case& c : cases) {
    const Status s = check(c.url);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << c.url;
    EXPECT_EQ(s.message(), c.message);
  }
}

TEST(GitSourceTest, RefMustBeGivenAndWellFormed) {
  EXPECT_EQ(check("file:///r", "").message(),
            "git: ref is required (a branch, a tag or a commit id)");
  EXPECT_EQ(check("file:///r", "a..b").message(), "git: ref 'a..b' holds \"..\"");
  EXPECT_EQ(check("file:///r", "-x").message(), "git: ref '-x' holds a leading '-'");
  EXPECT_EQ(check("file:///r", "main branch").message(),
            "git: ref 'main branch' holds a space or a control character");
  EXPECT_EQ(check("file:///r", "HEAD~1").message(), "git: ref 'HEAD~1' holds one of ~^:?*[\\");
  for (const char* ok : {"main", "release/1.2", "refs/tags/v1", "HEAD", "0123abc"}) {
    EXPECT_TRUE(check("file:///r", ok).ok()) << ok;
  }
}

TEST(GitSourceTest, SubdirIsRelativeInsideTheRepository) {
  EXPECT_TRUE(check("file:///r", "main", "functions/greet").ok());
  EXPECT_TRUE(check("file:///r", "main", "functions/greet/").ok());
  EXPECT_TRUE(check("file:///r", "main", ".").ok());
  EXPECT_EQ(check("file:///r", "main", "/etc").message(),
            "git: subdir '/etc' is absolute; it is relative to the repository's root");
  EXPECT_EQ(check("file:///r", "main", "a/../../b").message(),
            "git: subdir 'a/../../b' has a '..' component; name a directory inside the "
            "repository");
  EXPECT_EQ(check("file:///r", "main", "a//b").code(), Code::kInvalidArgument);
  EXPECT_EQ(normalized_subdir("a/b/"), "a/b");
  EXPECT_EQ(normalized_subdir("."), "");
}

TEST(GitSourceTest, DisplayUrlCarriesNoCredentials) {
  EXPECT_EQ(display_url("https://user:secret@example.com/app.git?token=x#frag"),
            "https://example.com/app.git");
  EXPECT_EQ(display_url("file:///srv/app"), "file:///srv/app");
  EXPECT_EQ(display_url("FILE:///srv/app"), "file:///srv/app");
  EXPECT_EQ(display_url("git://example.com:9418/app"), "git://example.com:9418/app");
}

TEST(GitSourceTest, CommitIdShape) {
  EXPECT_TRUE(looks_like_commit_id("0123abc"));
  EXPECT_TRUE(looks_like_commit_id("0123456789ABCDEF0123456789abcdef01234567"));
  EXPECT_FALSE(looks_like_commit_id("0123ab"));
  EXPECT_FALSE(looks_like_commit_id("0123456789abcdef0123456789abcdef012345678"));
  EXPECT_FALSE(looks_like_commit_id("main123"));
}

TEST(Libgit2ErrorTest, CodesFollowWhatTheCallerShouldDo) {
  EXPECT_EQ(
      libgit2_code(GIT_ERROR, GIT_ERROR_NET, "failed to connect to 127.0.0.1: Connection refused"),
      Code::kUnavailable);
  EXPECT_EQ(libgit2_code(GIT_ERROR, GIT_ERROR_HTTP, "unexpected http status code: 404"),
            Code::kNotFound);
  EXPECT_EQ(libgit2_code(GIT_ERROR, GIT_ERROR_HTTP, "unexpected http status code: 503"),
            Code::kUnavailable);
  EXPECT_EQ(libgit2_code(GIT_ERROR, GIT_ERROR_NET, "unexpected http status code: 403"),
            Code::kPermissionDenied);
  EXPECT_EQ(libgit2_code(GIT_EAUTH, GIT_ERROR_HTTP, "authentication required"),
            Code::kUnauthenticated);
  EXPECT_EQ(libgit2_code(GIT_ECERTIFICATE, GIT_ERROR_SSL, "certificate is not valid"),
            Code::kFailedPrecondition);
  EXPECT_EQ(libgit2_code(GIT_ENOTFOUND, GIT_ERROR_OS, "could not find repository"),
            Code::kNotFound);
  EXPECT_EQ(libgit2_code(GIT_ERROR, GIT_ERROR_NET,
                         "remote error: access denied or repository not exported: /app"),
            Code::kNotFound);
  EXPECT_EQ(
      libgit2_code(GIT_ERROR, GIT_ERROR_OS, "failed to connect to 127.0.0.1: Connection refused"),
      Code::kUnavailable);
  EXPECT_EQ(libgit2_code(GIT_ERROR, GIT_ERROR_OS,
                         "failed to resolve path '/srv/x': No such file or directory"),
            Code::kNotFound);
  EXPECT_EQ(libgit2_code(GIT_EEOF, GIT_ERROR_NET, "early EOF"), Code::kUnavailable);
}

}  // namespace
}  // namespace ignite::git
