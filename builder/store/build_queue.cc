#include "builder/store/build_queue.h"

#include <algorithm>

namespace ignite::store {
namespace {

constexpr std::chrono::milliseconds kFirstBackoff = std::chrono::seconds(1);
constexpr std::chrono::milliseconds kMaxBackoff = std::chrono::seconds(60);

}  // namespace

std::string_view build_state_name(BuildState state) {
  switch (state) {
    case BuildState::kQueued:
      return "QUEUED";
    case BuildState::kRunning:
      return "RUNNING";
    case BuildState::kSucceeded:
      return "SUCCEEDED";
    case BuildState::kFailed:
      return "FAILED";
    case BuildState::kCancelled:
      return "CANCELLED";
  }
  return "UNKNOWN";
}

std::optional<BuildState> parse_build_state(std::string_view name) {
  for (BuildState s : {BuildState::kQueued, BuildState::kRunning, BuildState::kSucceeded,
                       BuildState::kFailed, BuildState::kCancelled}) {
    if (build_state_name(s) == name) return s;
  }
  return std::nullopt;
}

bool is_finished(BuildState state) {
  return state == BuildState::kSucceeded || state == BuildState::kFailed ||
         state == BuildState::kCancelled;
}

std::string_view build_kind_name(BuildKind kind) {
  return kind == BuildKind::kDraft ? "DRAFT" : "VERSION";
}

std::optional<BuildKind> parse_build_kind(std::string_view name) {
  if (name == "VERSION") return BuildKind::kVersion;
  if (name == "DRAFT") return BuildKind::kDraft;
  return std::nullopt;
}

std::string_view source_kind_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::kCode:
      return "CODE";
    case SourceKind::kImage:
      return "IMAGE";
    case SourceKind::kGit:
      return "GIT";
  }
  return "CODE";
}

std::optional<SourceKind> parse_source_kind(std::string_view name) {
  if (name == "CODE") return SourceKind::kCode;
  if (name == "IMAGE") return SourceKind::kImage;
  if (name == "GIT") return SourceKind::kGit;
  return std::nullopt;
}

std::chrono::milliseconds default_backoff(int failed_attempts) {
  // Doubling from 1 s; the shift is bounded before it could overflow, since 2^6 s is past the cap.
  const int doublings = std::clamp(failed_attempts - 1, 0, 6);
  return std::min(kFirstBackoff * (std::int64_t{1} << doublings), kMaxBackoff);
}

}  // namespace ignite::store
