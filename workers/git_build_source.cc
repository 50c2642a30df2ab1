#include "workers/git_build_source.h"

#include <nlohmann/json.hpp>

#include <system_error>

namespace ignite::workers {

std::string git_source_document(const git::GitSource& source) {
  // nlohmann's object keeps its keys sorted: the same request, the same bytes.
  return nlohmann::json{{"url", source.url}, {"ref", source.ref}, {"subdir", source.subdir}}.dump();
}

Result<git::GitSource> parse_git_source_document(std::string_view bytes) {
  const auto j = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  const auto text = [&j](const char* key) -> const std::string* {
    if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return nullptr;
    return j[key].get_ptr<const std::string*>();
  };
  const std::string* url = text("url");
  const std::string* ref = text("ref");
  const std::string* subdir = text("subdir");
  if (url == nullptr || ref == nullptr || subdir == nullptr) {
    return data_loss("a git build's kept source is not the {url, ref, subdir} it was submitted as");
  }
  return git::GitSource{*url, *ref, *subdir};
}

Result<FetchedGitSource> FetchedGitSource::fetch(const git::GitSource& source,
                                                 const std::string& tmp_root,
                                                 const std::string& build_id, std::int64_t epoch,
                                                 std::chrono::steady_clock::time_point deadline) {
  // Per attempt: a worker that took the build over never shares a directory with one that
  // stalled.
  std::filesystem::path scratch =
      std::filesystem::path(tmp_root) / ("git-" + build_id + "-" + std::to_string(epoch));
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
  std::filesystem::create_directories(scratch, ec);
  if (ec) return errno_status("creating " + scratch.string(), ec.value());
  git::GitFetchOptions options;
  options.deadline = deadline;
  auto checkout = git::fetch_git_source(source, scratch, options);
  if (!checkout.ok()) {
    std::filesystem::remove_all(scratch, ec);
    return checkout.status();
  }
  return FetchedGitSource(std::move(scratch), std::move(*checkout));
}

FetchedGitSource::~FetchedGitSource() {
  if (scratch_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(scratch_, ec);
}

FetchedGitSource::FetchedGitSource(FetchedGitSource&& other) noexcept
    : scratch_(std::move(other.scratch_)), checkout_(std::move(other.checkout_)) {
  other.scratch_.clear();
}

}  // namespace ignite::workers
