#include "src/service/compute.h"

#include <google/protobuf/util/time_util.h>

#include "builder/pipeline/function_store.h"
#include "builder/source/code_hash.h"
#include "builder/source/intake.h"
#include "builder/store/sqlite_app_catalog.h"
#include "builder/util/digest.h"
#include "src/service/connections.h"
#include "workers/source_store.h"

namespace ignite::service {
namespace {

namespace v1 = dodil::ignite::v1;
using google::protobuf::util::TimeUtil;

Result<store::AppId> app_of(const std::string& org, const std::string& app) {
  if (org.empty()) return invalid_argument("org is required");
  if (app.empty()) return invalid_argument("the app's name is required");
  return store::AppId::from_parts(org, app);
}

// The app, created by CreateApp: NOT_FOUND naming the call that makes it otherwise.
Status require_app(store::AppCatalog& catalog, const store::AppId& app) {
  IGNITE_ASSIGN_OR_RETURN(std::optional<store::AppProfile> found, catalog.find_app(app));
  if (!found) {
    return not_found("app " + app.to_string() + " not found: create it first (CreateApp, POST " +
                     "/v1/ignite/app/" + app.org() + ")");
  }
  return ok_status();
}

std::string seconds_text(std::chrono::milliseconds d) {
  return d.count() % 1000 == 0 ? std::to_string(d.count() / 1000) + " s"
                               : std::to_string(d.count()) + " ms";
}

// A draft build that a new save of the same bytes may share: one that did not fail.
bool reusable(const store::BuildRecord& b, const std::string& source_digest) {
  return b.kind == store::BuildKind::kDraft && b.source_digest == source_digest &&
         b.state != store::BuildState::kFailed && b.state != store::BuildState::kCancelled;
}

}  // namespace

Compute::Compute(std::string store_dir, std::function<void()> on_submit, BuildWaiter& waiter,
                 ComputeOptions options)
    : store_dir_(std::move(store_dir)),
      on_submit_(std::move(on_submit)),
      waiter_(waiter),
      options_(std::move(options)) {}

Result<v1::CreateAppResponse> Compute::create_app(const v1::CreateAppRequest& request) {
  IGNITE_ASSIGN_OR_RETURN(store::AppId app, app_of(request.org(), request.name()));
  IGNITE_ASSIGN_OR_RETURN(store::SqliteAppCatalog * catalog_ptr, thread_catalog(store_dir_));
  store::AppCatalog& catalog = *catalog_ptr;
  IGNITE_RETURN_IF_ERROR(
      catalog.create_app(store::AppProfile{app, request.resource_tier(), request.description()})
          .status());
  v1::CreateAppResponse response;
  response.set_app_id(app.to_string());
  return response;
}

Result<v1::SaveDraftResponse> Compute::save_draft(const v1::SaveDraftRequest& request) {
  IGNITE_ASSIGN_OR_RETURN(store::AppId app, app_of(request.org(), request.app()));
  if (!request.has_code()) return invalid_argument("code is required: {\"compile\": {...}}");
  if (request.code().has_image()) {
    return Status(Code::kUnimplemented,
                  "code.image: drafts of a prebuilt image are not built by this service yet; "
                  "publish one with `ignite-builder publish-image`");
  }
  if (!request.code().has_compile()) return invalid_argument("code: give compile (or image)");
  const v1::CompileCode& compile = request.code().compile();
  if (!compile.has_runtime() || !compile.runtime().has_python()) {
    return invalid_argument(
        "code.compile.runtime: unknown or missing runtime; the one built "
        "here is python ({\"python\": {}})");
  }
  const std::string& bytes = compile.source_code();
  if (bytes.empty()) {
    return invalid_argument(
        "code.compile.sourceCode is empty: give the base64 of handler.py or "
        "of an archive (tar, gzip tar, zip)");
  }

  IGNITE_ASSIGN_OR_RETURN(store::SqliteAppCatalog * catalog_ptr, thread_catalog(store_dir_));
  store::AppCatalog& catalog = *catalog_ptr;
  IGNITE_RETURN_IF_ERROR(require_app(catalog, app));
  // The draft is checked before anything is kept: a refused draft leaves nothing behind.
  auto tree = read_source_bytes(bytes, IntakeOptions{});
  if (!tree.ok()) return tree.status().with_context("code.compile.sourceCode");
  const std::string hash = code_hash(*tree).to_string();
  const std::string digest = Digest::of(bytes).to_string();

  IGNITE_ASSIGN_OR_RETURN(store::SqliteBuildQueue * queue_ptr, thread_queue(store_dir_));
  store::BuildQueue& queue = *queue_ptr;
  std::string build_id;
  IGNITE_ASSIGN_OR_RETURN(std::optional<store::DraftRecord> previous, catalog.find_draft(app));
  if (previous) {
    auto b = queue.get(previous->build_id);
    if (b.ok() && reusable(*b, digest)) build_id = b->id;
  }
  if (build_id.empty()) {
    // Bytes, then build, then draft: a crash in between leaves at most a build nobody waits for.
    IGNITE_RETURN_IF_ERROR(workers::SourceStore(store_dir_).put(bytes).status());
    store::SubmitOptions submit = options_.submit;
    submit.kind = store::BuildKind::kDraft;
    IGNITE_ASSIGN_OR_RETURN(store::BuildRecord build,
                            queue.submit(app, digest, hash, store::BuildPriority::kNormal, submit));
    build_id = build.id;
    if (on_submit_) on_submit_();
  }
  store::DraftRecord draft{app};
  draft.source_digest = digest;
  draft.code_hash = hash;
  draft.build_id = build_id;
  IGNITE_RETURN_IF_ERROR(catalog.save_draft(draft).status());

  v1::SaveDraftResponse response;
  response.mutable_draft()->set_code_hash(hash);
  response.mutable_draft()->set_build_id(build_id);
  return response;
}

Result<v1::PublishDraftResponse> Compute::publish_draft(const v1::PublishDraftRequest& request,
                                                        const std::function<bool()>& abandoned) {
  IGNITE_ASSIGN_OR_RETURN(store::AppId app, app_of(request.org(), request.app()));
  std::chrono::milliseconds timeout = options_.default_publish_timeout;
  if (request.has_timeout()) {
    const std::int64_t ms = TimeUtil::DurationToMilliseconds(request.timeout());
    if (ms <= 0 || std::chrono::milliseconds(ms) > options_.max_publish_timeout) {
      return invalid_argument("timeout must be positive and at most " +
                              seconds_text(options_.max_publish_timeout) + ", not " +
                              TimeUtil::ToString(request.timeout()));
    }
    timeout = std::chrono::milliseconds(ms);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;

  IGNITE_ASSIGN_OR_RETURN(store::SqliteAppCatalog * catalog_ptr, thread_catalog(store_dir_));
  store::AppCatalog& catalog = *catalog_ptr;
  IGNITE_RETURN_IF_ERROR(require_app(catalog, app));
  // The draft as it is now: a save that comes while this call waits does not change what it
  // publishes.
  IGNITE_ASSIGN_OR_RETURN(std::optional<store::DraftRecord> draft, catalog.find_draft(app));
  if (!draft) return failed_precondition("no draft saved for app " + app.to_string());
  IGNITE_ASSIGN_OR_RETURN(store::SqliteBuildQueue * queue_ptr, thread_queue(store_dir_));
  store::BuildQueue& queue = *queue_ptr;

  const auto waited = [&](const std::string& id,
                          std::string_view what) -> Result<store::BuildRecord> {
    auto ended = waiter_.wait(queue, id, deadline, abandoned);
    if (ended.ok()) return ended;
    if (ended.status().code() == Code::kDeadlineExceeded) {
      return Status(Code::kDeadlineExceeded,
                    std::string(what) + " did not end within " + seconds_text(timeout) + ": " +
                        ended.status().message() + "; it goes on (GET /v1/builds/" + id + ")");
    }
    return ended.status();
  };

  // The draft build first: a draft that does not build fails here, with its own build's reason.
  IGNITE_ASSIGN_OR_RETURN(store::BuildRecord draft_build,
                          waited(draft->build_id, "the draft's build"));
  if (draft_build.state != store::BuildState::kSucceeded) {
    return failed_precondition("the draft's build " + draft_build.id + " " +
                               (draft_build.state == store::BuildState::kFailed
                                    ? "failed: " + draft_build.error
                                    : std::string("was cancelled")) +
                               "; nothing was published");
  }

  store::SubmitOptions submit = options_.submit;
  submit.kind = store::BuildKind::kVersion;
  IGNITE_ASSIGN_OR_RETURN(store::BuildRecord build,
                          queue.submit(app, draft->source_digest, draft->code_hash,
                                       store::BuildPriority::kPublish, submit));
  if (on_submit_) on_submit_();
  IGNITE_ASSIGN_OR_RETURN(store::BuildRecord ended, waited(build.id, "build " + build.id));
  if (ended.state == store::BuildState::kFailed) {
    return failed_precondition("build " + ended.id + " failed: " + ended.error);
  }
  if (ended.state == store::BuildState::kCancelled) {
    return failed_precondition("build " + ended.id + " was cancelled; nothing was published");
  }
  v1::PublishDraftResponse response;
  response.set_published_version(static_cast<std::uint32_t>(ended.version));
  response.set_image_digest(ended.manifest_digest);
  response.set_build_id(ended.id);
  return response;
}

}  // namespace ignite::service
