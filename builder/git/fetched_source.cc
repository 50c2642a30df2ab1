#include "builder/git/fetched_source.h"

#include <system_error>
#include <utility>

namespace ignite::git {

Result<FetchedGitSource> FetchedGitSource::fetch(const GitSource& source,
                                                 std::filesystem::path scratch,
                                                 const GitFetchOptions& options) {
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
  std::filesystem::create_directories(scratch, ec);
  if (ec) return errno_status("creating " + scratch.string(), ec.value());
  auto checkout = fetch_git_source(source, scratch, options);
  if (!checkout.ok()) {
    std::filesystem::remove_all(scratch, ec);
    return std::move(checkout).status();
  }
  return FetchedGitSource(std::move(scratch), std::move(checkout).value());
}

FetchedGitSource::~FetchedGitSource() {
  std::error_code ec;
  if (!scratch_.empty()) std::filesystem::remove_all(scratch_, ec);
}

FetchedGitSource::FetchedGitSource(FetchedGitSource&& other) noexcept
    : scratch_(std::exchange(other.scratch_, {})), checkout_(std::move(other.checkout_)) {}

}  // namespace ignite::git
