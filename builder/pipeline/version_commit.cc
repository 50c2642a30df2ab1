#include "builder/pipeline/version_commit.h"

#include <nlohmann/json.hpp>
#include <set>

#include "builder/oci/image_reader.h"
#include "builder/oci/media_types.h"
#include "builder/util/fault.h"

namespace ignite::pipeline {
namespace {

// Refs are set only after their version is recorded (and refs left by schema-1 builders were
// removed when the database was upgraded), so a ref at or above the number being taken means
// the database lost versions the layout still has (restored from a backup?): recording would
// give a published number to other content.
Status check_no_later_refs(FunctionStore& store, const store::AppId& app, std::int64_t number) {
  IGNITE_ASSIGN_OR_RETURN(auto refs, store.layout().list_refs());
  for (const auto& r : refs) {
    auto v = store::parse_version_ref(r.name);
    if (v && v->app == app && v->number >= number) {
      return data_loss("the image layout holds " + r.name + " but the database's next version of " +
                       app.to_string() + " is " + std::to_string(number) +
                       ": the database is older than the layout; restore it (`store check` lists "
                       "what differs)");
    }
  }
  return ok_status();
}

}  // namespace

Result<oci::Descriptor> stored_manifest_descriptor(const oci::OciLayout& layout,
                                                   std::string_view digest_text) {
  IGNITE_ASSIGN_OR_RETURN(Digest digest, Digest::parse(digest_text));
  IGNITE_ASSIGN_OR_RETURN(std::string bytes, layout.read_blob(digest));
  std::string media_type(oci::kMediaTypeManifest);
  auto j = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    auto m = j.find("mediaType");
    if (m != j.end() && m->is_string()) media_type = m->get<std::string>();
  }
  return oci::Descriptor{media_type, digest, static_cast<std::int64_t>(bytes.size()), {}, {}};
}

std::vector<std::string> set_missing_refs(FunctionStore& store, const store::AppId& app) {
  const std::string what = "setting the ref of recorded version ";
  std::vector<std::string> problems;
  auto recorded = store.versions().versions(app);
  auto refs = store.layout().list_refs();
  if (!recorded.ok() || !refs.ok()) {
    problems.push_back("setting the refs of recorded versions of " + app.to_string() + ": " +
                       (recorded.ok() ? refs.status() : recorded.status()).message());
    return problems;
  }
  std::set<std::string> named;
  for (const auto& r : *refs) named.insert(r.name);
  for (const auto& v : *recorded) {
    const std::string name = app.ref_name(v.number);
    if (named.count(name)) continue;  // store check compares the digests
    auto manifest = stored_manifest_descriptor(store.layout(), v.manifest_digest);
    // kRefuse: a ref of that name set meanwhile by another process names the same digest
    // (that is success), or the layout and the database disagree (nothing is moved).
    Status set = manifest.ok() ? store.layout().set_ref(name, *manifest, oci::ExistingRef::kRefuse)
                               : manifest.status();
    if (!set.ok()) problems.push_back(what + name + ": " + set.message());
  }
  return problems;
}

namespace {

// Without a registry the layout is the only place the version lives: all of it must be there.
// (A base that is a version published with --registry may keep its layers only there.)
Status check_whole_in_layout(FunctionStore& store, const oci::Descriptor& manifest) {
  IGNITE_ASSIGN_OR_RETURN(oci::StoredImage image, oci::read_image(store.layout(), manifest));
  for (const auto& layer : image.manifest.layers) {
    if (!store.layout().has_blob(layer.digest)) {
      return failed_precondition(
          "layer " + layer.digest.to_string() + " of image " + manifest.digest.to_string() +
          " is not in the store's layout " + store.layout_dir() +
          ": its base keeps that layer only in a registry; publish with --registry, or take the "
          "base from that registry (--base HOST/REPO:TAG)");
    }
  }
  return ok_status();
}

}  // namespace

Result<CommittedVersion> commit_version_with_ref(FunctionStore& store, const store::AppId& app,
                                                 store::VersionRecord record,
                                                 const oci::Descriptor& manifest,
                                                 RegistryPublication* publication,
                                                 const CommitGuard& guard) {
  if (publication == nullptr) {
    IGNITE_RETURN_IF_ERROR(check_whole_in_layout(store, manifest));
  } else {
    record.registries = {publication->host()};
    IGNITE_RETURN_IF_ERROR(store.versions().remember_pending_tag(app, publication->host(), record));
  }
  auto committed = store.versions().commit_version(app, record, [&](std::int64_t number) -> Status {
    // First: nothing outside the store (the registry's tag) may happen for a refused commit.
    if (guard) IGNITE_RETURN_IF_ERROR(guard(store.versions().database(), record, number));
    IGNITE_RETURN_IF_ERROR(check_no_later_refs(store, app, number));
    if (publication != nullptr) {
      IGNITE_RETURN_IF_ERROR(publication->tag(store.layout(), manifest, number));
    }
    fault_point("tag");
    return ok_status();
  });
  if (!committed.ok()) {
    // Nothing was tagged (or the tag named another image): the intent is void. Best effort: a
    // row left behind only ever lets this store record this very image under the next number.
    if (publication != nullptr) {
      (void)store.versions().forget_pending_tag(app, publication->host(), record.manifest_digest);
    }
    return committed.status();
  }
  fault_point("commit");
  // This version's ref, and those of earlier versions whose process stopped before theirs; one
  // that cannot be set is skipped (and the next build of the app tries again).
  CommittedVersion out{committed->number, app.ref_name(committed->number), std::nullopt,
                       set_missing_refs(store, app)};
  fault_point("ref");
  if (publication != nullptr) {
    out.registry =
        RegistryOutcome{publication->host() + "/" + out.reference, publication->transfer()};
  }
  return out;
}

}  // namespace ignite::pipeline
