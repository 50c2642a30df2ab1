#include "builder/pipeline/build_function.h"

#include <nlohmann/json.hpp>

#include "builder/oci/image_builder.h"
#include "builder/oci/tree_layer.h"
#include "builder/pipeline/build_base.h"
#include "builder/pipeline/python_base.h"
#include "builder/pipeline/version_commit.h"
#include "builder/python/requirements_file.h"
#include "builder/runtime/python_host.h"
#include "builder/source/code_hash.h"
#include "builder/util/fault.h"
#include "builder/util/builder_version.h"

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

// Until dependency layers exist, a draft that needs packages is refused rather than built into
// an image whose imports would fail at run time. The file is read with pip's rules, so a
// comment, a continuation or an include counts exactly as pip would count it.
Status check_no_requirements(const SourceTree& tree) {
  if (tree.find("requirements.txt") == nullptr) return ok_status();
  TreeFileSource source(tree);
  IGNITE_ASSIGN_OR_RETURN(python::RequirementsFile file,
                          python::read_requirements_file(source, "requirements.txt", {}));
  if (file.entries.empty()) return ok_status();
  const auto& first = file.entries.front();
  return unimplemented(first.where() + " asks for \"" + first.shown +
                       "\", but this builder does not install dependencies yet: build functions "
                       "that use only the standard library");
}

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
  BuildResult result{{}, Digest::of(""), Digest::of(""), "", ""};

  progress.stage("intake", request.source);
  IGNITE_ASSIGN_OR_RETURN(SourceTree tree, read_source_path(request.source, request.intake));
  IGNITE_RETURN_IF_ERROR(check_no_requirements(tree).with_context("building " + request.source));
  result.code_hash = code_hash(tree);
  progress.note(std::to_string(tree.entries().size()) + " files, codeHash " + result.code_hash.to_string());
  fault_point("intake");

  IGNITE_ASSIGN_OR_RETURN(oci::Epoch epoch, oci::Epoch::from_environment_value(
                                                request.source_date_epoch ? request.source_date_epoch->c_str()
                                                                          : nullptr));
  // Connecting sends nothing yet; a base in the same registry is read with this client.
  std::optional<RegistryPublication> publication;
  if (request.registry) {
    IGNITE_ASSIGN_OR_RETURN(RegistryPublication p,
                            RegistryPublication::connect(*request.registry, app, progress));
    publication.emplace(std::move(p));
  }
  IGNITE_ASSIGN_OR_RETURN(BuildBase build_base,
                          open_build_base(store, request.base, publication ? &*publication : nullptr,
                                          progress));
  const oci::BaseImage& base = build_base.image;
  result.base_digest = base.image().manifest_descriptor.digest.to_string();
  fault_point("base");

  progress.stage("layers", "runtime host, app");
  oci::LayerOptions layer_options{epoch};
  IGNITE_ASSIGN_OR_RETURN(oci::LayerPlan host_plan,
                          oci::plan_tree_layer(python_host_tree(), oci::kHostPrefix));
  IGNITE_ASSIGN_OR_RETURN(oci::Layer host, oci::write_layer(store.layout(), host_plan, layer_options));
  IGNITE_ASSIGN_OR_RETURN(oci::Layer app_layer, oci::write_app_layer(store.layout(), tree, layer_options));
  fault_point("layers");

  progress.stage("image", "config and manifest");
  nlohmann::json inputs = {
      {"builderVersion", kBuilderVersion},
      {"codeHash", result.code_hash.to_string()},
      {"codeHashVersion", std::string(kCodeHashVersion)},
      {"lockHash", ""},
      {"baseDigest", result.base_digest},
      {"base", build_base.recorded},
      {"org", app.org()},
      {"app", app.app()},
      {"sourceDateEpoch", epoch.seconds()},
  };
  result.inputs = inputs.dump();

  oci::ImageSettings settings = oci::ImageSettings::for_function();
  settings.env = {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
                  {"IGNITE_FUNCTION_ID", app.to_string()},
                  {"IGNITE_ORGANIZATION_ID", app.org()},
                  {"PORT", "8080"}};
  settings.entrypoint = runtime::python_host_entrypoint();
  settings.cmd = std::vector<std::string>{};
  // The lock hash joins these once dependency layers exist; the version number never does.
  const std::map<std::string, std::string> identity = {
      {"dev.ignite.code-hash", result.code_hash.to_string()},
      {"dev.ignite.org", app.org()},
      {"dev.ignite.app", app.app()},
      {"dev.ignite.builder-version", kBuilderVersion},
  };
  settings.labels = identity;
  settings.annotations = identity;
  settings.annotations["org.opencontainers.image.title"] = app.to_string();
  settings.annotations["org.opencontainers.image.vendor"] = app.org();
  settings.annotations["org.opencontainers.image.created"] = epoch.rfc3339();
  const std::string builder = std::string("ignite-builder ") + kBuilderVersion;
  IGNITE_ASSIGN_OR_RETURN(
      oci::Descriptor manifest,
      oci::compose_image(store.layout(), base,
                         {{host, builder + ": runtime host"},
                          {app_layer, builder + ": app (codeHash " + result.code_hash.to_string() + ")"}},
                         settings, epoch, "", oci::ExistingRef::kRefuse));
  result.manifest_digest = manifest.digest;
  fault_point("image");

  if (publication) {
    progress.stage("push", request.registry->host + "/" + app.to_string());
    IGNITE_RETURN_IF_ERROR(publication->check_tags(store));
    IGNITE_RETURN_IF_ERROR(publication->upload(
        store, manifest, result.base_digest, build_base.remote ? &*build_base.remote : nullptr));
    fault_point("push");
  }

  progress.stage("commit", app.to_string());
  store::VersionRecord record;
  record.manifest_digest = manifest.digest.to_string();
  record.code_hash = result.code_hash.to_string();
  record.base_digest = result.base_digest;
  record.inputs = result.inputs;
  IGNITE_ASSIGN_OR_RETURN(static_cast<CommittedVersion&>(result),
                          commit_version_with_ref(store, app, std::move(record), manifest,
                                                  publication ? &*publication : nullptr));
  progress.done();
  return result;
}

}  // namespace ignite::pipeline
