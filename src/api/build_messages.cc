#include "src/api/build_messages.h"

#include <google/protobuf/util/time_util.h>

#include <cstdint>
#include <string>

namespace ignite::api {
namespace {

namespace v1 = dodil::ignite::builder::v1;

void set_time(std::int64_t ms, google::protobuf::Timestamp* t) {
  *t = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(ms);
}

v1::BuildSource to_proto(store::SourceKind kind) {
  switch (kind) {
    case store::SourceKind::kCode:
      return v1::BUILD_SOURCE_CODE;
    case store::SourceKind::kImage:
      return v1::BUILD_SOURCE_IMAGE;
    case store::SourceKind::kGit:
      return v1::BUILD_SOURCE_GIT;
  }
  return v1::BUILD_SOURCE_UNSPECIFIED;
}

std::string code_text(Code code) {
  return code == Code::kOk ? std::string() : std::string(code_name(code));
}

}  // namespace

v1::BuildState to_proto(store::BuildState s) {
  switch (s) {
    case store::BuildState::kQueued:
      return v1::BUILD_STATE_QUEUED;
    case store::BuildState::kRunning:
      return v1::BUILD_STATE_RUNNING;
    case store::BuildState::kSucceeded:
      return v1::BUILD_STATE_SUCCEEDED;
    case store::BuildState::kFailed:
      return v1::BUILD_STATE_FAILED;
    case store::BuildState::kCancelled:
      return v1::BUILD_STATE_CANCELLED;
  }
  return v1::BUILD_STATE_UNSPECIFIED;
}

void to_proto(const store::BuildRecord& b, v1::Build* out) {
  out->set_id(b.id);
  out->set_app_id(b.app.to_string());
  out->set_state(to_proto(b.state));
  out->set_stage(b.stage);
  out->set_priority(b.priority == store::BuildPriority::kPublish ? v1::BUILD_PRIORITY_PUBLISH
                                                                 : v1::BUILD_PRIORITY_NORMAL);
  out->set_kind(b.kind == store::BuildKind::kDraft ? v1::BUILD_KIND_DRAFT : v1::BUILD_KIND_VERSION);
  out->set_source(to_proto(b.source_kind));
  out->set_code_hash(b.code_hash);
  out->set_version(static_cast<std::uint32_t>(b.version));
  out->set_image_digest(b.manifest_digest);
  out->set_lock_hash(b.lock_hash);
  out->set_error(b.error);
  out->set_error_code(code_text(b.error_code));
  out->set_source_commit(b.source_commit);
  out->set_sbom_digest(b.sbom_digest);
  out->set_provenance_digest(b.provenance_digest);
  out->set_attempts(static_cast<std::uint32_t>(b.attempts));
  if (b.submitted_at_ms) set_time(b.submitted_at_ms, out->mutable_submitted_at());
  if (b.started_at_ms) set_time(b.started_at_ms, out->mutable_started_at());
  if (b.finished_at_ms) set_time(b.finished_at_ms, out->mutable_finished_at());
}

void to_proto(const store::AppId& app, const store::BuildEvent& e, v1::BuildEvent* out) {
  out->set_event_id(e.build_id + ":" + std::to_string(e.sequence));
  out->set_build_id(e.build_id);
  out->set_sequence(static_cast<std::uint64_t>(e.sequence));
  out->set_state(to_proto(e.state));
  out->set_stage(e.stage);
  out->set_message(e.message);
  set_time(e.at_ms, out->mutable_at());
  out->set_org(app.org());
  out->set_app(app.app());
  out->set_version(static_cast<std::uint32_t>(e.version));
  out->set_digest(e.manifest_digest);
  out->set_code_hash(e.code_hash);
  out->set_lock_hash(e.lock_hash);
  out->set_sbom_digest(e.sbom_digest);
  out->set_provenance_digest(e.provenance_digest);
  if (e.error_code != Code::kOk || !e.error.empty()) {
    out->mutable_error()->set_code(code_text(e.error_code));
    out->mutable_error()->set_message(e.error);
  }
}

}  // namespace ignite::api
