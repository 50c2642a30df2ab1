#include "src/cli/git_build_source.h"

#include <stdlib.h>

#include <cerrno>
#include <ostream>
#include <system_error>
#include <utility>

#include "builder/net/clock.h"
#include "builder/net/retry_policy.h"
#include "builder/util/duration_text.h"

namespace ignite::cli {
namespace {

// A scratch directory removed unless handed on.
class ScratchGuard {
 public:
  explicit ScratchGuard(std::filesystem::path dir) : dir_(std::move(dir)) {}
  ~ScratchGuard() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  std::filesystem::path release() { return std::exchange(dir_, {}); }

 private:
  std::filesystem::path dir_;
};

}  // namespace

Result<GitBuildSource> GitBuildSource::fetch(const git::GitSource& source,
                                             const std::string& tmp_root, std::ostream& err) {
  IGNITE_RETURN_IF_ERROR(git::validate_git_source(source));
  std::error_code ec;
  std::filesystem::create_directories(tmp_root, ec);
  if (ec) return errno_status("creating " + tmp_root, ec.value());
  std::string dir = tmp_root + "/git-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    return errno_status("creating a scratch directory in " + tmp_root, errno);
  }
  ScratchGuard guard{std::filesystem::path(dir)};
  net::SystemClock clock;
  auto checkout = net::with_retries(
      net::RetryPolicy{}, clock,
      [&](net::AttemptState&) {
        git::GitFetchOptions options;
        options.deadline = std::chrono::steady_clock::now() + kGitFetchAttemptDeadline;
        return git::fetch_git_source(source, dir, options);
      },
      [&](const Status& error, std::chrono::milliseconds delay, int next, int attempts) {
        err << "ignite-builder: " << error.message() << "; retrying in " << duration_text(delay)
            << " (attempt " << next << " of " << attempts << ")\n";
      });
  if (!checkout.ok()) return std::move(checkout).status();
  return GitBuildSource(guard.release(), std::move(checkout).value());
}

GitBuildSource::GitBuildSource(GitBuildSource&& other) noexcept
    : scratch_(std::exchange(other.scratch_, {})), checkout_(std::move(other.checkout_)) {}

GitBuildSource::~GitBuildSource() {
  std::error_code ec;
  if (!scratch_.empty()) std::filesystem::remove_all(scratch_, ec);
}

}  // namespace ignite::cli
