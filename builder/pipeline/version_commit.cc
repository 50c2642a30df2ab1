#include "builder/pipeline/version_commit.h"

#include <nlohmann/json.hpp>
#include <set>

#include "builder/oci/image_reader.h"
#include "builder/oci/media_types.h"
#include "builder/pipeline/layout_refill.h"
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

namespace {

bool has_manifest(const oci::OciLayout& layout, std::string_view digest_text) {
  auto digest = Digest::parse(digest_text);
  return digest.ok() && layout.has_blob(*digest);
}

}  // namespace

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
    // On a shared store the layout is this node's cache: versions other nodes built are not
    // here, and need no ref.
    if (store.backend().is_postgres() && !has_manifest(store.layout(), v.manifest_digest)) continue;
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

namespace {

// The version's ref, and those of earlier versions whose process stopped before theirs; one that
// cannot be set is skipped (and the next build of the app tries again).
Result<CommittedVersion> finish_with_refs(FunctionStore& store, const store::AppId& app,
                                          std::int64_t number, RegistryPublication* publication) {
  fault_point("commit");
  CommittedVersion out{number, app.ref_name(number), std::nullopt, set_missing_refs(store, app)};
  fault_point("ref");
  if (publication != nullptr) {
    out.registry =
        RegistryOutcome{publication->host() + "/" + out.reference, publication->transfer()};
  }
  return out;
}

// Without a registry: one transaction takes N and records the version, as it always has. While
// a publication of the app holds the next number (its intent), it waits for that publication's
// lock and tries once more under it.
Result<CommittedVersion> commit_locally(FunctionStore& store, const store::AppId& app,
                                        const store::VersionRecord& record,
                                        const CommitFences& fences) {
  auto commit = [&] {
    return store.versions().commit_version(
        app, record, [&](store::StoreTx& tx, std::int64_t number) -> Status {
          // First: nothing may happen for a refused commit.
          if (fences.guard) IGNITE_RETURN_IF_ERROR(fences.guard(tx, record, number));
          IGNITE_RETURN_IF_ERROR(check_no_later_refs(store, app, number));
          fault_point("tag");  // as with a registry: just before the commit (nothing recorded yet)
          return ok_status();
        });
  };
  auto committed = commit();
  std::unique_ptr<PublishLock> lock;
  if (!committed.ok() && committed.status().code() == Code::kUnavailable) {
    IGNITE_ASSIGN_OR_RETURN(std::optional<store::PublishIntent> intent,
                            store.versions().publish_intent(app));
    if (!intent) return committed.status();  // the database was busy
    IGNITE_ASSIGN_OR_RETURN(
        lock, PublishLock::acquire(store.versions(), store.backend(), app, fences.lock));
    IGNITE_ASSIGN_OR_RETURN(intent, store.versions().publish_intent(app));
    if (intent) {
      return failed_precondition(
          "version " + std::to_string(intent->record.number) + " of " + app.to_string() +
          " was being published to registry " + intent->registry + " (" +
          intent->record.manifest_digest +
          ") by a publication that stopped before recording it; publish the app with --registry " +
          intent->registry + " to complete it, then build again");
    }
    committed = commit();
  }
  if (!committed.ok()) return committed.status();
  lock.reset();
  return finish_with_refs(store, app, committed->number, nullptr);
}

// What the registry's tag vN names now, after a failed attempt to set it: our image (the PUT
// went through), another one or none (it did not), or unknown (the registry does not answer).
enum class TagState { kOurs, kNotOurs };
Result<TagState> tag_state(RegistryPublication& publication, const oci::Descriptor& manifest,
                           std::int64_t number) {
  IGNITE_ASSIGN_OR_RETURN(
      std::optional<oci::Descriptor> there,
      publication.client().head_manifest(publication.repository(), "v" + std::to_string(number)));
  return there && there->digest == manifest.digest ? TagState::kOurs : TagState::kNotOurs;
}

// An intent left by a publication that stopped between its transaction A and its B: its tag may
// be set, so it is completed, never discarded (tags never move; dropping it would let the next
// build take N for other content). The image is this store's: its manifest is in the layout, or,
// on a shared store, in the registry (layout_refill.h).
Status roll_forward(FunctionStore& store, const store::AppId& app, store::PublishIntent intent,
                    RegistryPublication& publication, const PublishLock& lock,
                    const CommitFences& fences) {
  const std::string what = "version " + std::to_string(intent.record.number) + " of " +
                           app.to_string() + " left by a publication that stopped (" +
                           intent.record.manifest_digest + ")";
  if (intent.registry != publication.host()) {
    return failed_precondition(what + " was being published to registry " + intent.registry +
                               ", not " + publication.host() +
                               "; publish the app with --registry " + intent.registry +
                               " to complete it first");
  }
  publication.progress().note("completing " + what);
  if (store.backend().is_postgres()) {
    // Another node may have left it: its image is in the registry, perhaps not in this cache.
    IGNITE_RETURN_IF_ERROR(refill_from_registry(store, publication, intent.record)
                               .with_context("completing " + what));
  }
  IGNITE_ASSIGN_OR_RETURN(
      oci::Descriptor manifest,
      stored_manifest_descriptor(store.layout(), intent.record.manifest_digest));
  Status tagged = publication.tag(store.layout(), manifest, intent.record.number);
  if (!tagged.ok()) {
    return tagged.with_context("completing " + what +
                               " (`ignite-builder store check` names it; a person must "
                               "decide what the registry's tag is)");
  }
  auto inputs = nlohmann::json::parse(intent.record.inputs, nullptr, /*allow_exceptions=*/false);
  if (!inputs.is_object()) inputs = nlohmann::json::object();
  inputs["recovered"] =
      "the publication that made this version stopped before recording it" +
      (intent.build_id.empty() ? std::string() : " (build " + intent.build_id + ")") +
      "; completed by the next one";
  intent.record.inputs = inputs.dump();
  IGNITE_RETURN_IF_ERROR(
      store.versions().commit_intent(app, intent, lock.lease(), fences.on_published).status());
  for (const auto& problem : set_missing_refs(store, app))
    publication.progress().note("warning: " + problem);
  return ok_status();
}

Result<CommittedVersion> publish_to_registry(FunctionStore& store, const store::AppId& app,
                                             const store::VersionRecord& record,
                                             const oci::Descriptor& manifest,
                                             RegistryPublication& publication,
                                             const CommitFences& fences) {
  IGNITE_ASSIGN_OR_RETURN(
      std::unique_ptr<PublishLock> lock,
      PublishLock::acquire(store.versions(), store.backend(), app, fences.lock));
  IGNITE_ASSIGN_OR_RETURN(std::optional<store::PublishIntent> left,
                          store.versions().publish_intent(app));
  if (left) {
    const std::string left_build = left->build_id;
    IGNITE_RETURN_IF_ERROR(roll_forward(store, app, std::move(*left), publication, *lock, fences));
    if (!fences.build_id.empty() && left_build == fences.build_id) {
      // This very build's earlier attempt: its version is the one just recorded, not a second.
      IGNITE_ASSIGN_OR_RETURN(std::int64_t number, store.versions().latest_number(app));
      lock.reset();
      return finish_with_refs(store, app, number, &publication);
    }
  }

  // A: N, the build's fence, the intent. Nothing outside the store has happened for N yet.
  IGNITE_ASSIGN_OR_RETURN(store::PublishIntent intent,
                          store.versions().record_intent(
                              app, record, publication.host(), fences.build_id, lock->lease(),
                              [&](store::StoreTx& tx, const store::PublishIntent& i) -> Status {
                                if (fences.before_intent)
                                  IGNITE_RETURN_IF_ERROR(fences.before_intent(tx, i));
                                return check_no_later_refs(store, app, i.record.number);
                              }));
  fault_point("intent");
  const std::int64_t number = intent.record.number;
  publication.progress().stage("tag", publication.host() + "/" + app.ref_name(number));

  // The tag, outside any transaction: a slow registry holds up only this app's publications.
  Status tagged = publication.tag(store.layout(), manifest, number);
  if (!tagged.ok()) {
    auto state = tag_state(publication, manifest, number);
    if (!state.ok()) {
      // Whether the tag was set is unknown: the intent stays, and the next publication of the app
      // rolls it forward (sets or finds the tag) rather than give N to other content.
      return tagged.with_context("the tag " + publication.host() + "/" + app.ref_name(number) +
                                 " may or may not be set; the next publication of " +
                                 app.to_string() + " completes it");
    }
    if (*state == TagState::kNotOurs) {
      // C: refused, so N was never used; no other build of the app took N + 1 meanwhile (the lock).
      IGNITE_RETURN_IF_ERROR(store.versions().drop_intent(app, intent, lock->lease()));
      return tagged;
    }
    // The PUT went through after all (its answer was lost): go on.
  }
  fault_point("tag");

  // B: the fence again (the lock, the intent), the version, the intent dropped.
  IGNITE_RETURN_IF_ERROR(
      store.versions().commit_intent(app, intent, lock->lease(), fences.on_published).status());
  lock.reset();
  return finish_with_refs(store, app, number, &publication);
}

}  // namespace

Result<CommittedVersion> commit_version_with_ref(FunctionStore& store, const store::AppId& app,
                                                 store::VersionRecord record,
                                                 const oci::Descriptor& manifest,
                                                 RegistryPublication* publication,
                                                 const CommitFences& fences) {
  if (publication == nullptr) {
    IGNITE_RETURN_IF_ERROR(check_whole_in_layout(store, manifest));
    return commit_locally(store, app, record, fences);
  }
  return publish_to_registry(store, app, record, manifest, *publication, fences);
}

}  // namespace ignite::pipeline
