#include "src/service/compute.h"

#include <google/protobuf/util/time_util.h>

#include "builder/pipeline/function_store.h"
#include "builder/registry/image_source.h"
#include "builder/source/code_hash.h"
#include "builder/source/intake.h"
#include "builder/store/app_catalog.h"
#include "builder/util/digest.h"
#include "builder/util/duration_text.h"
#include "builder/util/file_io.h"
#include "src/service/connections.h"
#include "src/service/org_scope.h"
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

// The app, created by CreateApp: NOT_FOUND naming the call that makes it otherwise. Another
// org's app is not looked up and answers the same, so the caller cannot tell it exists.
Status require_app(store::AppCatalog& catalog, const store::AppId& app,
                   const auth::Caller& caller) {
  std::optional<store::AppProfile> found;
  if (caller.sees(app.org())) {
    IGNITE_ASSIGN_OR_RETURN(found, catalog.find_app(app));
  }
  if (!found) {
    return not_found("app " + app.to_string() + " not found: create it first (CreateApp, POST " +
                     "/v1/ignite/app/" + app.org() + ")");
  }
  return ok_status();
}

// An image draft's reference: a registry image only. (An OCI layout path would let a caller
// read any layout on the server's disks; `ignite-builder publish-image` takes those.)
Result<registry::ImageSource> image_draft_source(const std::string& reference) {
  const std::string what = "code.image.reference";
  if (reference.empty()) {
    return invalid_argument(what + " is empty: give HOST[:PORT]/REPO[:TAG][@sha256:HEX]");
  }
  auto image = registry::ImageSource::parse(reference);
  if (!image.ok()) return image.status().with_context(what);
  if (image->kind != registry::ImageSource::Kind::kRegistry) {
    return invalid_argument(
        what + " \"" + reference +
        "\" names an OCI layout on the server; a draft's image is in a registry "
        "(HOST[:PORT]/REPO[:TAG][@sha256:HEX])");
  }
  return image;
}

// The image a publish build takes for an image draft: the draft's reference pinned to the
// manifest its draft build resolved, so that a tag moved since the save changes nothing.
Result<std::string> pinned_image(const std::string& reference, const std::string& manifest) {
  IGNITE_ASSIGN_OR_RETURN(registry::ImageSource image, registry::ImageSource::parse(reference));
  IGNITE_ASSIGN_OR_RETURN(image.registry_image.digest, Digest::parse(manifest));
  return image.to_string();
}

// A draft build that a new save of the same bytes may share: one that did not fail.
bool reusable(const store::BuildRecord& b, const std::string& source_digest) {
  return b.kind == store::BuildKind::kDraft && b.source_digest == source_digest &&
         b.state != store::BuildState::kFailed && b.state != store::BuildState::kCancelled;
}

}  // namespace

Compute::Compute(store::StoreBackend store, std::function<void()> on_submit, BuildWaiter& waiter,
                 ComputeOptions options)
    : store_(std::move(store)),
      on_submit_(std::move(on_submit)),
      waiter_(waiter),
      options_(std::move(options)) {}

Result<v1::CreateAppResponse> Compute::create_app(const auth::Caller& caller,
                                                  const v1::CreateAppRequest& request) {
  IGNITE_ASSIGN_OR_RETURN(store::AppId app, app_of(request.org(), request.name()));
  IGNITE_RETURN_IF_ERROR(check_may_create(caller, app));
  IGNITE_ASSIGN_OR_RETURN(Borrowed<store::AppCatalog> catalog_lease, borrow_catalog(store_));
  store::AppCatalog& catalog = *catalog_lease;
  IGNITE_RETURN_IF_ERROR(
      catalog.create_app(store::AppProfile{app, request.resource_tier(), request.description()})
          .status());
  v1::CreateAppResponse response;
  response.set_app_id(app.to_string());
  return response;
}

Result<v1::SaveDraftResponse> Compute::save_draft(const auth::Caller& caller,
                                                  const v1::SaveDraftRequest& request) {
  IGNITE_ASSIGN_OR_RETURN(store::AppId app, app_of(request.org(), request.app()));
  if (!request.has_code()) return invalid_argument("code is required: {\"compile\": {...}}");
  IGNITE_ASSIGN_OR_RETURN(Borrowed<store::AppCatalog> catalog_lease, borrow_catalog(store_));
  store::AppCatalog& catalog = *catalog_lease;
  // What the draft build takes: the source's bytes and codeHash, or an image's reference (as
  // text, with no codeHash). Checked before anything is kept: a refused draft leaves nothing.
  std::string image_text, hash, image_digest;
  std::string_view bytes;
  if (request.code().has_image()) {
    IGNITE_ASSIGN_OR_RETURN(registry::ImageSource image,
                            image_draft_source(request.code().image().reference()));
    IGNITE_RETURN_IF_ERROR(require_app(catalog, app, caller));
    image_text = image.to_string();
    bytes = image_text;
    if (image.registry_image.digest) image_digest = image.registry_image.digest->to_string();
  } else {
    if (!request.code().has_compile()) return invalid_argument("code: give compile or image");
    const v1::CompileCode& compile = request.code().compile();
    if (!compile.has_runtime() || !compile.runtime().has_python()) {
      return invalid_argument(
          "code.compile.runtime: unknown or missing runtime; the one built "
          "here is python ({\"python\": {}})");
    }
    if (compile.source_code().empty()) {
      return invalid_argument(
          "code.compile.sourceCode is empty: give the base64 of handler.py or "
          "of an archive (tar, gzip tar, zip)");
    }
    IGNITE_RETURN_IF_ERROR(require_app(catalog, app, caller));
    auto tree = read_source_bytes(compile.source_code(), IntakeOptions{});
    if (!tree.ok()) return tree.status().with_context("code.compile.sourceCode");
    bytes = compile.source_code();
    hash = code_hash(*tree).to_string();
  }
  const std::string digest = Digest::of(bytes).to_string();

  IGNITE_ASSIGN_OR_RETURN(Borrowed<store::BuildQueue> queue_lease, borrow_queue(store_));
  store::BuildQueue& queue = *queue_lease;
  std::string build_id;
  IGNITE_ASSIGN_OR_RETURN(std::optional<store::DraftRecord> previous, catalog.find_draft(app));
  if (previous) {
    auto b = queue.get(previous->build_id);
    // An image named by tag alone is resolved again: the tag may have moved since.
    const bool pinned = !hash.empty() || !image_digest.empty();
    if (pinned && b.ok() && reusable(*b, digest)) build_id = b->id;
  }
  if (build_id.empty()) {
    // Bytes, then build, then draft: a crash in between leaves at most a build nobody waits for.
    IGNITE_RETURN_IF_ERROR(workers::SourceStore(store_).put(bytes).status());
    store::SubmitOptions submit = options_.submit;
    submit.kind = store::BuildKind::kDraft;
    submit.source_kind =
        request.code().has_image() ? store::SourceKind::kImage : store::SourceKind::kCode;
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
  response.mutable_draft()->set_image_digest(image_digest);
  response.mutable_draft()->set_build_id(build_id);
  return response;
}

Result<v1::PublishDraftResponse> Compute::publish_draft(const auth::Caller& caller,
                                                        const v1::PublishDraftRequest& request,
                                                        const std::function<bool()>& abandoned) {
  IGNITE_ASSIGN_OR_RETURN(store::AppId app, app_of(request.org(), request.app()));
  std::chrono::milliseconds timeout = options_.default_publish_timeout;
  if (request.has_timeout()) {
    const std::int64_t ms = TimeUtil::DurationToMilliseconds(request.timeout());
    if (ms <= 0 || std::chrono::milliseconds(ms) > options_.max_publish_timeout) {
      return invalid_argument("timeout must be positive and at most " +
                              duration_text(options_.max_publish_timeout) + ", not " +
                              TimeUtil::ToString(request.timeout()));
    }
    timeout = std::chrono::milliseconds(ms);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;

  IGNITE_ASSIGN_OR_RETURN(Borrowed<store::AppCatalog> catalog_lease, borrow_catalog(store_));
  store::AppCatalog& catalog = *catalog_lease;
  IGNITE_RETURN_IF_ERROR(require_app(catalog, app, caller));
  // The draft as it is now: a save that comes while this call waits does not change what it
  // publishes.
  IGNITE_ASSIGN_OR_RETURN(std::optional<store::DraftRecord> draft, catalog.find_draft(app));
  if (!draft) return failed_precondition("no draft saved for app " + app.to_string());
  IGNITE_ASSIGN_OR_RETURN(Borrowed<store::BuildQueue> queue_lease, borrow_queue(store_));
  store::BuildQueue& queue = *queue_lease;

  const auto waited = [&](const std::string& id,
                          std::string_view what) -> Result<store::BuildRecord> {
    auto ended = waiter_.wait(queue, id, deadline, abandoned);
    if (ended.ok()) return ended;
    if (ended.status().code() == Code::kDeadlineExceeded) {
      return Status(Code::kDeadlineExceeded,
                    std::string(what) + " did not end within " + duration_text(timeout) + ": " +
                        ended.status().message() + "; it goes on (GET /v1/builds/" + id + ")");
    }
    return ended.status();
  };

  // The draft build first: a draft that does not build fails here, with its own build's reason.
  // Still queued, it goes before the other queued builds now: a publish waits for it.
  IGNITE_RETURN_IF_ERROR(
      queue
          .raise_priority(draft->build_id, "a PublishDraft of " + app.to_string() + " waits for it")
          .status());
  IGNITE_ASSIGN_OR_RETURN(store::BuildRecord draft_build,
                          waited(draft->build_id, "the draft's build"));
  if (draft_build.state != store::BuildState::kSucceeded) {
    return failed_precondition("the draft's build " + draft_build.id + " " +
                               (draft_build.state == store::BuildState::kFailed
                                    ? "failed: " + draft_build.error
                                    : std::string("was cancelled")) +
                               "; nothing was published");
  }

  // The same bytes; for an image draft, its reference pinned to what the draft build resolved.
  std::string source_digest = draft->source_digest;
  const bool image = draft_build.source_kind == store::SourceKind::kImage;
  if (image) {
    const workers::SourceStore sources(store_);
    IGNITE_ASSIGN_OR_RETURN(std::string path, sources.path(draft->source_digest));
    IGNITE_ASSIGN_OR_RETURN(std::string reference, read_file(path));
    IGNITE_ASSIGN_OR_RETURN(std::string pinned,
                            pinned_image(reference, draft_build.manifest_digest));
    IGNITE_ASSIGN_OR_RETURN(source_digest, sources.put(pinned));
  }
  store::SubmitOptions submit = options_.submit;
  submit.kind = store::BuildKind::kVersion;
  submit.source_kind = image ? store::SourceKind::kImage : store::SourceKind::kCode;
  IGNITE_ASSIGN_OR_RETURN(
      store::BuildRecord build,
      queue.submit(app, source_digest, draft->code_hash, store::BuildPriority::kPublish, submit));
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
