#include "builder/pipeline/build_function.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "builder/oci/image_builder.h"
#include "builder/oci/tree_layer.h"
#include "builder/pipeline/build_base.h"
#include "builder/pipeline/python_base.h"
#include "builder/pipeline/target_python.h"
#include "builder/pipeline/version_commit.h"
#include "builder/python/requirements_file_source.h"
#include "builder/runtime/python_host.h"
#include "builder/source/code_hash.h"
#include "builder/util/builder_version.h"
#include "builder/util/fault.h"
#include "builder/util/wall_clock.h"

namespace ignite::pipeline {
namespace {

// requirements.txt and the files it includes, read from the draft's tree (symlinks followed
// inside it), as pip would read them from the source root.
class TreeFileSource final : public python::RequirementsFileSource {
 public:
  explicit TreeFileSource(const SourceTree& tree) : tree_(tree) {}
  Result<std::string> read(const std::string& path) const override {
    if (const SourceEntry* e = tree_.find_file(path)) return e->data;
    if (tree_.find(path) != nullptr) {
      return invalid_argument("reading " + path + ": not a regular file in the source tree");
    }
    return not_found("reading " + path + ": no such file in the source tree");
  }

 private:
  const SourceTree& tree_;
};

SourceTree host_tree() {
  SourceTree tree;
  for (const auto& f : runtime::python_host_files()) {
    // Paths come from our own templates/; add() cannot fail on them.
    (void)tree.add(f.path, {f.executable ? EntryKind::kExecutable : EntryKind::kFile, f.data});
  }
  return tree;
}

const SourceTree& python_host_tree() {
  static const SourceTree tree = host_tree();
  return tree;
}

}  // namespace

Result<BuildResult> build_function(FunctionStore& store, const BuildRequest& request,
                                   Progress& progress) {
  const store::AppId& app = request.app;
  const std::int64_t started_at_ms = unix_now_ms();  // the provenance's startedOn
  BuildResult result{{}, Digest::of(""), Digest::of(""), "", "", {}, {}};
  // Each stage is announced, then passed through the queue's gate when a worker runs the build.
  auto enter = [&](std::string_view stage, std::string_view detail) -> Status {
    progress.stage(stage, detail);
    return request.hooks.enter_stage ? request.hooks.enter_stage(stage) : ok_status();
  };

  IGNITE_RETURN_IF_ERROR(enter("intake", request.source));
  IGNITE_ASSIGN_OR_RETURN(SourceTree tree, read_source_path(request.source, request.intake));
  result.code_hash = code_hash(tree);
  progress.note(std::to_string(tree.entries().size()) + " files, codeHash " +
                result.code_hash.to_string());
  fault_point("intake");

  // The lock: read from the source, found in the cache, or resolved.
  index::LockRequest lock_request;
  lock_request.sources = request.sources;
  lock_request.refresh = request.refresh;
  lock_request.cache_dir = store_cache_dir(store);
  lock_request.given_lock = request.given_lock;
  const TreeFileSource tree_files(tree);
  if (tree.find("requirements.txt") != nullptr || tree.find("pylock.toml") != nullptr) {
    IGNITE_RETURN_IF_ERROR(
        enter("lock", tree.find("pylock.toml") ? "pylock.toml" : "requirements.txt"));
  }
  const auto lock_start = std::chrono::steady_clock::now();
  auto locked = index::lock_requirements(tree_files, lock_request);
  if (!locked.ok())
    return locked.status().with_context("locking the dependencies of " + request.source);
  index::LockOutcome lock = std::move(*locked);
  // Warnings of the build itself; the commit's own (a ref not set) come after them.
  std::vector<std::string> warnings = std::move(lock.warnings);
  const bool has_lock = lock.origin != index::LockOrigin::kNoRequirements;
  if (has_lock) {
    result.dependencies.lock_hash = lock.lock_hash;
    result.dependencies.lock_origin = lock.origin;
    result.dependencies.lock_sources = lock.sources;
    result.dependencies.lock_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - lock_start)
            .count();
    progress.note(std::to_string(lock.lock.packages.size()) + " packages, lockHash " +
                  lock.lock_hash + " (" + std::string(index::lock_origin_name(lock.origin)) + ")");
  }

  IGNITE_ASSIGN_OR_RETURN(
      oci::Epoch epoch, oci::Epoch::from_environment_value(request.source_date_epoch
                                                               ? request.source_date_epoch->c_str()
                                                               : nullptr));
  // Connecting sends nothing yet; a base in the same registry is read with this client.
  std::optional<RegistryPublication> publication;
  if (request.registry) {
    IGNITE_ASSIGN_OR_RETURN(RegistryPublication p,
                            RegistryPublication::connect(*request.registry, app, progress));
    publication.emplace(std::move(p));
  }
  IGNITE_ASSIGN_OR_RETURN(
      BuildBase build_base,
      open_build_base(store, request.base, publication ? &*publication : nullptr, progress));
  const oci::BaseImage& base = build_base.image;
  result.base_digest = base.image().manifest_descriptor.digest.to_string();
  fault_point("base");

  DepsRequest deps_request;
  deps_request.record = request.record;
  deps_request.bytecode = request.bytecode;
  deps_request.http.netrc_file = lock_request.netrc_file;
  deps_request.http.credentials = lock.credentials;
  if (has_lock && !lock.lock.packages.empty()) {
    IGNITE_RETURN_IF_ERROR(enter("deps", lock.lock_hash));
    auto deps = ensure_deps_layer(store, base, lock.lock, deps_request, progress);
    if (!deps.ok())
      return deps.status().with_context("building the dependency layer of " + request.source);
    warnings.insert(warnings.end(), deps->warnings.begin(), deps->warnings.end());
    if (deps->packages > 0) result.dependencies.layer = std::move(*deps);
    fault_point("deps");
  }

  IGNITE_RETURN_IF_ERROR(enter("layers", "runtime host, app"));
  oci::LayerOptions layer_options{epoch};
  IGNITE_ASSIGN_OR_RETURN(oci::LayerPlan host_plan,
                          oci::plan_tree_layer(python_host_tree(), oci::kHostPrefix));
  IGNITE_ASSIGN_OR_RETURN(oci::Layer host,
                          oci::write_layer(store.layout(), host_plan, layer_options));
  IGNITE_ASSIGN_OR_RETURN(oci::Layer app_layer,
                          oci::write_app_layer(store.layout(), tree, layer_options));
  fault_point("layers");

  IGNITE_RETURN_IF_ERROR(enter("image", "config and manifest"));
  nlohmann::json inputs = {
      {"builderVersion", kBuilderVersion},
      {"codeHash", result.code_hash.to_string()},
      {"codeHashVersion", std::string(kCodeHashVersion)},
      {"lockHash", result.dependencies.lock_hash},
      {"baseDigest", result.base_digest},
      {"base", build_base.recorded},
      {"org", app.org()},
      {"app", app.app()},
      {"sourceDateEpoch", epoch.seconds()},
  };
  const GitOrigin* git = request.origin && request.origin->git ? &*request.origin->git : nullptr;
  if (git) {
    inputs["source"] = {
        {"git",
         {{"url", git->url}, {"ref", git->ref}, {"commit", git->commit}, {"subdir", git->subdir}}}};
  }
  if (has_lock) {
    // The lock's text itself: what an auditor needs to rebuild the dependency layer.
    inputs["lock"] = lock.bytes;
    if (result.dependencies.layer) {
      inputs["depsLayer"] = result.dependencies.layer->layer.blob.digest.to_string();
      // What the layer's bytes depend on beside the lock and the base: verify re-installs the
      // lock with the same choices.
      inputs["deps"] = {{"bytecode", std::string(bytecode_name(request.bytecode))},
                        {"record", std::string(record_policy_name(request.record))}};
    }
  }
  result.inputs = inputs.dump();

  oci::ImageSettings settings = oci::ImageSettings::for_function();
  const bool deps = result.dependencies.layer.has_value();
  const std::string deps_dir(kDepsMountPoint);
  settings.env = {{"PATH", (deps ? deps_dir + "/bin:" : std::string()) +
                               "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
                  {"IGNITE_FUNCTION_ID", app.to_string()},
                  {"IGNITE_ORGANIZATION_ID", app.org()},
                  {"PORT", "8080"}};
  if (deps) {
    // The host adds the site directory after the standard library (templates/python/README.md);
    // PYTHONPATH (ignored by the host's -I) serves the packages' console scripts run by hand.
    settings.env.push_back({"IGNITE_SITE_DIRS", deps_dir});
    settings.env.push_back({"PYTHONPATH", deps_dir});
  }
  settings.entrypoint = runtime::python_host_entrypoint();
  settings.cmd = std::vector<std::string>{};
  // The version number never joins these: the same inputs give the same digest.
  std::map<std::string, std::string> identity = {
      {"dev.ignite.code-hash", result.code_hash.to_string()},
      {"dev.ignite.org", app.org()},
      {"dev.ignite.app", app.app()},
      {"dev.ignite.builder-version", kBuilderVersion},
  };
  if (has_lock) identity["dev.ignite.lock-hash"] = result.dependencies.lock_hash;
  if (git) {
    // The OCI keys for a source repository and its revision. The ref is not among them: it
    // moves, the commit does not, and the same commit built from two refs is the same image.
    identity["org.opencontainers.image.source"] = git->url;
    identity["org.opencontainers.image.revision"] = git->commit;
  }
  settings.labels = identity;
  settings.annotations = identity;
  settings.annotations["org.opencontainers.image.title"] = app.to_string();
  settings.annotations["org.opencontainers.image.vendor"] = app.org();
  settings.annotations["org.opencontainers.image.created"] = epoch.rfc3339();
  const std::string builder = std::string("ignite-builder ") + kBuilderVersion;
  std::vector<oci::ImageLayer> layers = {{host, builder + ": runtime host"}};
  if (result.dependencies.layer) {
    layers.push_back({result.dependencies.layer->layer,
                      builder + ": dependencies (lockHash " + result.dependencies.lock_hash + ")"});
  }
  layers.push_back({app_layer, builder + ": app (codeHash " + result.code_hash.to_string() + ")"});
  IGNITE_ASSIGN_OR_RETURN(oci::Descriptor manifest,
                          oci::compose_image(store.layout(), base, layers, settings, epoch, "",
                                             oci::ExistingRef::kRefuse));
  result.manifest_digest = manifest.digest;
  fault_point("image");
  if (!request.make_version) {
    result.warnings.insert(result.warnings.begin(), warnings.begin(), warnings.end());
    progress.done();
    return result;
  }

  IGNITE_RETURN_IF_ERROR(enter("attest", "SBOM and provenance"));
  AttestInputs attest_inputs;
  attest_inputs.manifest = &manifest;
  attest_inputs.base = &base;
  attest_inputs.lock = result.dependencies.layer ? &lock.lock : nullptr;
  attest_inputs.deps = &deps_request;
  attest_inputs.created = epoch.rfc3339();
  attest::ProvenanceClaims& claims = attest_inputs.claims;
  claims.org = app.org();
  claims.app = app.app();
  claims.code_hash = result.code_hash.to_string();
  claims.code_hash_version = std::string(kCodeHashVersion);
  if (git) claims.git = attest::GitSourceClaim{git->url, git->ref, git->commit, git->subdir};
  claims.lock_hash = result.dependencies.lock_hash;
  claims.base = build_base.recorded;
  claims.base_digest = result.base_digest;
  claims.source_date_epoch = epoch.seconds();
  claims.builder_version = kBuilderVersion;
  claims.invocation_id = request.hooks.build_id;
  claims.started_at_ms = started_at_ms;
  IGNITE_ASSIGN_OR_RETURN(VersionAttestations attested,
                          attest_image(store, app, attest_inputs, request.attest, progress));
  warnings.insert(warnings.end(), attested.warnings.begin(), attested.warnings.end());
  result.attestations = std::move(attested);
  fault_point("attest");

  if (publication) {
    IGNITE_RETURN_IF_ERROR(enter("push", request.registry->host + "/" + app.to_string()));
    IGNITE_RETURN_IF_ERROR(publication->check_tags(store));
    IGNITE_RETURN_IF_ERROR(publication->upload(store, manifest, result.base_digest,
                                               result.dependencies.lock_hash,
                                               build_base.remote ? &*build_base.remote : nullptr));
    fault_point("push");
  }

  IGNITE_RETURN_IF_ERROR(enter("commit", app.to_string()));
  store::VersionRecord record;
  record.manifest_digest = manifest.digest.to_string();
  record.code_hash = result.code_hash.to_string();
  record.lock_hash = result.dependencies.lock_hash;
  record.base_digest = result.base_digest;
  record.inputs = result.inputs;
  record.sbom_digest = result.attestations->sbom->manifest.digest.to_string();
  if (result.attestations->provenance) {
    record.provenance_digest = result.attestations->provenance->manifest.digest.to_string();
  }
  IGNITE_ASSIGN_OR_RETURN(
      static_cast<CommittedVersion&>(result),
      commit_version_with_ref(
          store, app, std::move(record), manifest, publication ? &*publication : nullptr,
          CommitFences{request.hooks.before_commit, request.hooks.before_intent,
                       request.hooks.on_published, request.hooks.build_id, request.publish_lock}));
  result.warnings.insert(result.warnings.begin(), warnings.begin(), warnings.end());
  progress.done();
  return result;
}

}  // namespace ignite::pipeline
