#include "builder/pipeline/version_commit.h"

#include <map>
#include <nlohmann/json.hpp>

#include "builder/oci/media_types.h"
#include "builder/util/fault.h"

namespace ignite::pipeline {
namespace {

// Refs are set only after their version is recorded, so a ref at or above the number being
// taken means the database lost versions the layout still has (restored from a backup?):
// recording would give a published number to other content.
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

Result<oci::Descriptor> stored_manifest_descriptor(const oci::OciLayout& layout, const Digest& digest) {
  IGNITE_ASSIGN_OR_RETURN(std::string bytes, layout.read_blob(digest));
  std::string media_type(oci::kMediaTypeManifest);
  auto j = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    auto m = j.find("mediaType");
    if (m != j.end() && m->is_string()) media_type = m->get<std::string>();
  }
  return oci::Descriptor{media_type, digest, static_cast<std::int64_t>(bytes.size()), {}, {}};
}

Result<int> set_missing_refs(FunctionStore& store, const store::AppId& app) {
  const std::string what = "setting the refs of recorded versions of " + app.to_string();
  IGNITE_ASSIGN_OR_RETURN(auto recorded, store.versions().versions(app));
  IGNITE_ASSIGN_OR_RETURN(auto refs, store.layout().list_refs());
  std::map<std::string, std::string> by_name;
  for (const auto& r : refs) by_name.emplace(r.name, r.manifest.digest.to_string());
  int set = 0;
  for (const auto& v : recorded) {
    const std::string name = app.ref_name(v.number);
    if (by_name.count(name)) continue;  // store check compares the digests
    auto digest = Digest::parse(v.manifest_digest);
    if (!digest.ok()) return digest.status().with_context(what);
    auto manifest = stored_manifest_descriptor(store.layout(), *digest);
    if (!manifest.ok()) return manifest.status().with_context(what + ": " + name);
    // kRefuse: a ref of that name set meanwhile by another process names the same digest
    // (that is success), or the layout and the database disagree (an error, nothing moved).
    IGNITE_RETURN_IF_ERROR(store.layout().set_ref(name, *manifest, oci::ExistingRef::kRefuse));
    ++set;
  }
  return set;
}

Result<CommittedVersion> commit_version_with_ref(FunctionStore& store, const store::AppId& app,
                                                     store::VersionRecord record,
                                                     const oci::Descriptor& manifest,
                                                     RegistryPublication* publication) {
  if (publication != nullptr) record.registries = {publication->host()};
  auto committed = store.versions().commit_version(app, record, [&](std::int64_t number) -> Status {
    IGNITE_RETURN_IF_ERROR(check_no_later_refs(store, app, number));
    if (publication != nullptr) {
      IGNITE_RETURN_IF_ERROR(publication->tag(store.layout(), manifest, number));
    }
    fault_point("tag");
    return ok_status();
  });
  if (!committed.ok()) return committed.status();
  fault_point("commit");
  // This version's ref, and those of earlier ones whose process stopped before theirs.
  auto refs = set_missing_refs(store, app);
  if (!refs.ok()) {
    return refs.status().with_context("version " + app.ref_name(committed->number) +
                                      " is recorded, but its ref is not set; the next build of " +
                                      app.to_string() + " sets it");
  }
  fault_point("ref");
  CommittedVersion out{std::move(committed).value(), "", std::nullopt};
  out.reference = app.ref_name(out.record.number);
  if (publication != nullptr) {
    out.registry = RegistryOutcome{publication->host() + "/" + out.reference, publication->transfer()};
  }
  return out;
}

}  // namespace ignite::pipeline
