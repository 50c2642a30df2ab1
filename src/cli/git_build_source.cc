#include "src/cli/git_build_source.h"

#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <ostream>
#include <system_error>

#include "builder/net/clock.h"
#include "builder/net/retry_policy.h"
#include "builder/util/duration_text.h"

namespace ignite::cli {

Result<git::FetchedGitSource> fetch_git_build_source(const git::GitSource& source,
                                                     const std::string& tmp_root,
                                                     std::ostream& err) {
  IGNITE_RETURN_IF_ERROR(git::validate_git_source(source));
  std::error_code ec;
  std::filesystem::create_directories(tmp_root, ec);
  if (ec) return errno_status("creating " + tmp_root, ec.value());
  // A name of its own; each attempt makes the directory anew, and a failed one removes it.
  std::string dir = tmp_root + "/git-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    return errno_status("creating a scratch directory in " + tmp_root, errno);
  }
  net::SystemClock clock;
  return net::with_retries(
      net::RetryPolicy{}, clock,
      [&](net::AttemptState&) {
        git::GitFetchOptions options;
        options.deadline = std::chrono::steady_clock::now() + kGitFetchAttemptDeadline;
        return git::FetchedGitSource::fetch(source, dir, options);
      },
      [&](const Status& error, std::chrono::milliseconds delay, int next, int attempts) {
        err << "ignite-builder: " << error.message() << "; retrying in " << duration_text(delay)
            << " (attempt " << next << " of " << attempts << ")\n";
      });
}

}  // namespace ignite::cli
