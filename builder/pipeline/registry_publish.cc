#include "builder/pipeline/registry_publish.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "builder/oci/image_reader.h"
#include "builder/oci/media_types.h"
#include "builder/oci/referrers.h"
#include "builder/pipeline/version_commit.h"
#include "builder/registry/image_copy.h"

namespace ignite::pipeline {
namespace {

std::string list_versions(const std::vector<std::int64_t>& numbers) {
  std::string out;
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    if (i == 6 && numbers.size() > 7) {
      out += ", … (" + std::to_string(numbers.size() - 6) + " more)";
      break;
    }
    out += (i ? ", v" : "v") + std::to_string(numbers[i]);
  }
  return out;
}

}  // namespace

registry::ClientOptions default_client_options(Progress& progress) {
  registry::ClientOptions options;
  options.log = [&progress](std::string_view line) { progress.note(line); };
  return options;
}

registry::ClientOptions client_options_for(const std::string& host,
                                           const std::optional<RegistryTarget>& target,
                                           Progress& progress) {
  registry::ClientOptions options = default_client_options(progress);
  if (!target || target->host != host) return options;
  options.ca_file = target->ca_file;
  options.credentials = target->credentials;
  if (target->credentials) {
    options.credentials_source = "--registry-user " + target->credentials->username;
  }
  options.plain_http = target->plain_http == PlainHttp::kAllowed
                           ? registry::PlainHttp::kAllowed
                           : registry::PlainHttp::kLoopbackOnly;
  options.on_blob = target->on_blob;
  return options;
}

Result<RegistryPublication> RegistryPublication::connect(const RegistryTarget& target,
                                                         const store::AppId& app,
                                                         Progress& progress) {
  const registry::ClientOptions options = client_options_for(target.host, target, progress);
  IGNITE_ASSIGN_OR_RETURN(registry::RegistryClient client,
                          registry::RegistryClient::create(target.host, options));
  client.will_push(app.to_string());
  return RegistryPublication(std::move(client), target.host, app, progress);
}

Status RegistryPublication::check_tags(FunctionStore& store) {
  const std::string where = "registry " + host_ + " repository " + repository();
  // The tags first, then the store: a tag listed was set after its intent was recorded, and
  // that intent is dropped only in the transaction that records its version, so reading the
  // intent and then the latest number finds either (outside any transaction, without the lock).
  IGNITE_ASSIGN_OR_RETURN(std::vector<std::int64_t> remote,
                          registry::list_version_tags(client_, repository()));
  IGNITE_ASSIGN_OR_RETURN(std::optional<store::PublishIntent> intent,
                          store.versions().publish_intent(app_));
  IGNITE_ASSIGN_OR_RETURN(std::int64_t latest, store.versions().latest_number(app_));
  // The tag of a publication in flight, or of one that stopped and that the commit rolls forward
  // under the app's lock (version_commit.h): this store's own, not a foreign tag.
  const std::int64_t in_flight = intent && intent->registry == host_ ? intent->record.number : 0;
  // Only a lone tag just past the store's last version can be a schema 2 builder's leftover
  // (a pending tag without a number); it is taken over before anything else is decided, and
  // anything more is refused below untouched.
  if (in_flight == 0 && !remote.empty() && remote.back() == latest + 1 &&
      (remote.size() == 1 || remote[remote.size() - 2] <= latest)) {
    IGNITE_RETURN_IF_ERROR(adopt_leftover_tag(store, latest + 1));
    IGNITE_ASSIGN_OR_RETURN(latest, store.versions().latest_number(app_));
  }
  std::vector<std::int64_t> unknown;
  for (std::int64_t n : remote) {
    if (n > latest && n != in_flight) unknown.push_back(n);
  }
  // Tags of recorded numbers that this store did not set there (a build without --registry took
  // the number meanwhile, or someone pushed it) must name the recorded image, or the registry
  // and the store disagree about what vN is.
  IGNITE_ASSIGN_OR_RETURN(std::vector<std::int64_t> ours,
                          store.versions().registry_tagged_numbers(app_, host_));
  std::vector<std::int64_t> unchecked;
  for (std::int64_t n : remote) {
    if (n <= latest && !std::binary_search(ours.begin(), ours.end(), n)) unchecked.push_back(n);
  }
  if (!unchecked.empty()) {
    IGNITE_ASSIGN_OR_RETURN(auto recorded, store.versions().versions(app_));
    for (std::int64_t n : unchecked) {
      const std::string tag = "v" + std::to_string(n);
      IGNITE_ASSIGN_OR_RETURN(std::optional<oci::Descriptor> there,
                              client_.head_manifest(repository(), tag));
      const std::string& mine = recorded[static_cast<std::size_t>(n - 1)].manifest_digest;
      if (there && there->digest.to_string() != mine) {
        return failed_precondition(
            where + " has " + tag + " = " + there->digest.to_string() +
            ", but this store recorded " + tag + " as " + mine +
            "; the two disagree about that version, so nothing is published");
      }
    }
  }
  latest_ = latest;
  latest_tagged_ = std::find(remote.begin(), remote.end(), latest) != remote.end();
  if (!unknown.empty()) {
    return failed_precondition(
        where + " holds " + list_versions(unknown) +
        ", which this store has no record of (it has " + std::to_string(latest) + " versions of " +
        repository() + "); publish there from the store that made them, or to another repository");
  }
  return ok_status();
}

// A schema 2 builder of this store that died after tagging vN and before its commit left the tag
// and, in the database, the pending tag it remembered just before (VersionStore::pending_tag, a
// row without a number), with everything it meant to record. (Builders since schema 3 leave a
// numbered intent instead, which the commit rolls forward under the app's publish lock.) Only such
// a tag becomes version N, as that process would have recorded it; its ref follows. Any other vN
// tag is foreign, and check_tags refuses it.
Status RegistryPublication::adopt_leftover_tag(FunctionStore& store, std::int64_t number) {
  IGNITE_ASSIGN_OR_RETURN(std::optional<oci::Descriptor> remote,
                          client_.head_manifest(repository(), "v" + std::to_string(number)));
  if (!remote) return ok_status();
  IGNITE_ASSIGN_OR_RETURN(std::optional<store::VersionRecord> pending,
                          store.versions().pending_tag(app_, host_, remote->digest.to_string()));
  if (!pending || !store.layout().has_blob(remote->digest)) return ok_status();
  store::VersionRecord record = std::move(*pending);
  auto inputs = nlohmann::json::parse(record.inputs, nullptr, /*allow_exceptions=*/false);
  if (!inputs.is_object()) inputs = nlohmann::json::object();
  inputs["recovered"] = "the process that made this version stopped after tagging it in " + host_ +
                        "; recorded by the next one";
  record.inputs = inputs.dump();
  auto adopted =
      store.versions().commit_version(app_, record, [&](store::StoreTx&, std::int64_t n) -> Status {
        if (n != number) {
          return aborted("another build recorded version " + std::to_string(number) + " of " +
                         app_.to_string() + " meanwhile; run the build again");
        }
        return ok_status();
      });
  if (!adopted.ok()) {
    // A concurrent build of this store may have recorded the same leftover first.
    auto recorded = store.versions().versions(app_);
    const bool same =
        recorded.ok() && static_cast<std::int64_t>(recorded->size()) >= number &&
        (*recorded)[static_cast<std::size_t>(number - 1)].manifest_digest == record.manifest_digest;
    if (!same) return adopted.status();
  }
  for (const auto& problem : set_missing_refs(store, app_)) progress_.note("warning: " + problem);
  return ok_status();
}

std::set<std::string> RegistryPublication::blobs_known_present(FunctionStore& store) const {
  std::set<std::string> known;
  if (latest_ < 1 || !latest_tagged_) return known;
  auto recorded = store.versions().versions(app_);
  if (!recorded.ok() || static_cast<std::int64_t>(recorded->size()) < latest_) return known;
  auto manifest = stored_manifest_descriptor(
      store.layout(), (*recorded)[static_cast<std::size_t>(latest_ - 1)].manifest_digest);
  if (!manifest.ok()) return known;
  auto image = oci::read_image(store.layout(), *manifest);
  if (!image.ok()) return known;  // no shortcut then; store check reports the damage
  for (const auto& l : image->manifest.layers) known.insert(l.digest.to_string());
  known.insert(image->manifest.config.digest.to_string());
  return known;
}

// Blobs up to this size that the previous version lacks are sent without asking first: a code
// change's app layer and config. Larger ones are asked about, since a needless upload costs more.
constexpr std::int64_t kUnaskedBlobBytes = 1 << 20;

Status RegistryPublication::push_blobs(FunctionStore& store, const oci::Descriptor& manifest,
                                       const std::string& base_digest, const std::string& lock_hash,
                                       registry::OpenedImage* remote_base,
                                       const std::set<std::string>& known, Asking asking,
                                       std::vector<oci::Descriptor>* assumed,
                                       std::set<std::string>* pushed_digests) {
  oci::OciLayout& layout = store.layout();
  IGNITE_ASSIGN_OR_RETURN(std::optional<store::AppId> sibling,
                          store.versions().app_in_registry_with_base(host_, base_digest, app_));
  const std::string sibling_repo = sibling ? sibling->to_string() : "";
  // An app with the same lock holds the same dependency layer (and the same host layer).
  std::string lock_sibling_repo;
  if (!lock_hash.empty()) {
    IGNITE_ASSIGN_OR_RETURN(std::optional<store::AppId> with_lock,
                            store.versions().app_in_registry_with_lock(host_, lock_hash, app_));
    if (with_lock) lock_sibling_repo = with_lock->to_string();
  }
  std::set<std::string> base_layers;
  const std::string base_repo = remote_base ? remote_base->mount_repository() : "";
  if (remote_base) {
    for (const auto& b : remote_base->manifest().content.blobs)
      base_layers.insert(b.digest.to_string());
  }
  IGNITE_ASSIGN_OR_RETURN(oci::StoredImage image, oci::read_image(layout, manifest));
  std::vector<oci::Descriptor> blobs = image.manifest.layers;
  blobs.push_back(image.manifest.config);
  for (const auto& blob : blobs) {
    if (known.count(blob.digest.to_string())) {
      assumed->push_back(blob);
      continue;
    }
    const bool of_base = base_layers.count(blob.digest.to_string()) > 0;
    const std::string& mount_from = of_base && !base_repo.empty()            ? base_repo
                                    : !of_base && !lock_sibling_repo.empty() ? lock_sibling_repo
                                                                             : sibling_repo;
    const bool local = layout.has_blob(blob.digest);
    const auto presence =
        asking == Asking::kSmallNewUnasked && local && blob.size <= kUnaskedBlobBytes
            ? registry::BlobPresence::kLikelyAbsent
            : registry::BlobPresence::kUnknown;
    IGNITE_ASSIGN_OR_RETURN(
        registry::BlobPushed pushed,
        client_.push_blob(repository(), blob, local ? layout.blob_path(blob.digest) : "",
                          mount_from, presence));
    if (pushed != registry::BlobPushed::kMissing) {  // counted by the client
      pushed_digests->insert(blob.digest.to_string());
      continue;
    }
    if (!of_base || remote_base == nullptr) {
      return failed_precondition(
          "pushing blob " + blob.digest.to_string() + " to registry " + host_ + " repository " +
          repository() + ": the blob is neither there nor in the store's layout " + layout.dir() +
          ". If the base keeps its layers only in a registry (a version published with "
          "--registry), "
          "take the base from there (--base HOST/REPO:TAG) so they can be mounted; otherwise run "
          "`ignite-builder store check`");
    }
    IGNITE_RETURN_IF_ERROR(remote_base->fetch_blob(blob, layout));
    IGNITE_ASSIGN_OR_RETURN(pushed,
                            client_.push_blob(repository(), blob, layout.blob_path(blob.digest)));
    pushed_digests->insert(blob.digest.to_string());
  }
  return ok_status();
}

Status RegistryPublication::upload(FunctionStore& store, const oci::Descriptor& manifest,
                                   const std::string& base_digest, const std::string& lock_hash,
                                   registry::OpenedImage* remote_base) {
  const std::set<std::string> known = blobs_known_present(store);
  std::vector<oci::Descriptor> assumed;
  std::set<std::string> pushed;
  // New blobs go unasked only when the previous version is known to be there: then a blob
  // this build did not share with it is most likely new to the repository.
  const Asking asking = known.empty() ? Asking::kAlways : Asking::kSmallNewUnasked;
  IGNITE_RETURN_IF_ERROR(push_blobs(store, manifest, base_digest, lock_hash, remote_base, known,
                                    asking, &assumed, &pushed));
  IGNITE_ASSIGN_OR_RETURN(std::string bytes, store.layout().read_blob(manifest.digest));
  Status put =
      client_.put_manifest(repository(), manifest.digest.to_string(), manifest.media_type, bytes);
  if (put.code() == Code::kFailedPrecondition && !assumed.empty()) {
    // The registry lacks a blob of the previous version after all (removed behind this
    // store's back): ask about every blob and push what is missing, then the manifest again.
    // Those just pushed are there; the others are asked about (and counted) this time.
    progress_.note("registry " + host_ + " refused the manifest (" + put.message() +
                   "); asking about the blobs assumed to be there");
    std::vector<oci::Descriptor> again;
    IGNITE_RETURN_IF_ERROR(push_blobs(store, manifest, base_digest, lock_hash, remote_base, pushed,
                                      Asking::kAlways, &again, &pushed));
    put =
        client_.put_manifest(repository(), manifest.digest.to_string(), manifest.media_type, bytes);
    return put;
  }
  // Counted only once the manifest is accepted, which proves them there.
  if (put.ok()) {
    for (const auto& blob : assumed) client_.count_known_blob(repository(), blob);
  }
  IGNITE_RETURN_IF_ERROR(put);
  // The attestations by digest too, so that all but the tags is in the registry before the
  // intent: a node without this one's layout can then complete the publication
  // (layout_refill.h). Their index (the fallback tag) waits for the publish lock (tag()).
  return push_referrer_artifacts(store.layout(), manifest).status();
}

Status RegistryPublication::upload_copy(FunctionStore& store, registry::OpenedImage& image) {
  IGNITE_RETURN_IF_ERROR(registry::copy_image_blobs(image, client_, repository(), store.layout()));
  const registry::SourceManifest& m = image.manifest();
  return client_.put_manifest(repository(), m.descriptor().digest.to_string(), m.content.media_type,
                              m.bytes);
}

Result<std::vector<oci::Referrer>> RegistryPublication::push_referrer_artifacts(
    const oci::OciLayout& layout, const oci::Descriptor& manifest) {
  IGNITE_ASSIGN_OR_RETURN(std::vector<oci::Referrer> referrers,
                          oci::referrers_in_layout(layout, repository(), manifest.digest));
  for (const oci::Referrer& r : referrers) {
    // Once per publication: upload() sends them, and tag() (under the lock) need not again.
    if (referrers_pushed_.count(r.manifest.digest.to_string())) continue;
    IGNITE_ASSIGN_OR_RETURN(std::string bytes, layout.read_blob(r.manifest.digest));
    auto artifact = oci::parse_artifact_manifest(bytes);
    if (!artifact.ok()) {
      return artifact.status().with_context("referrer " + r.manifest.digest.to_string() + " of " +
                                            manifest.digest.to_string());
    }
    std::vector<oci::Descriptor> blobs = artifact->blobs;
    blobs.push_back(artifact->config);
    for (const oci::Descriptor& blob : blobs) {
      IGNITE_RETURN_IF_ERROR(
          client_.push_blob(repository(), blob, layout.blob_path(blob.digest)).status());
    }
    IGNITE_RETURN_IF_ERROR(client_.put_manifest(repository(), r.manifest.digest.to_string(),
                                                oci::kMediaTypeManifest, bytes));
    referrers_pushed_.insert(r.manifest.digest.to_string());
  }
  return referrers;
}

Status RegistryPublication::push_referrers(const oci::OciLayout& layout,
                                           const oci::Descriptor& manifest) {
  IGNITE_ASSIGN_OR_RETURN(std::vector<oci::Referrer> referrers,
                          push_referrer_artifacts(layout, manifest));
  if (referrers.empty()) return ok_status();
  // distribution 2.8 has no referrers API: the fallback tag's index lists them. Read, merged,
  // written under the app's publish lock, so publications of the app lose none.
  const std::string tag = oci::referrers_tag(manifest.digest);
  std::vector<oci::Referrer> listed;
  auto existing = client_.get_manifest(repository(), tag);
  if (existing.ok()) {
    auto parsed = oci::parse_referrers_index(existing->bytes);
    if (!parsed.ok()) {
      return parsed.status().with_context("the referrers tag " + tag + " in registry " + host_ +
                                          " repository " + repository());
    }
    listed = std::move(*parsed);
  } else if (existing.status().code() != Code::kNotFound) {
    return existing.status();
  }
  IGNITE_ASSIGN_OR_RETURN(std::string index, oci::referrers_index_json(listed, referrers));
  if (existing.ok() && existing->bytes == index) return ok_status();
  IGNITE_RETURN_IF_ERROR(client_.put_manifest(repository(), tag, oci::kMediaTypeIndex, index));
  progress_.note(std::to_string(referrers.size()) + " referrer(s) of " +
                 manifest.digest.to_string() + " under tag " + tag);
  return ok_status();
}

// The tag guard (docs/registry.md): a vN tag naming another digest is never moved. The blobs, the
// manifest and the attestations went up in upload(), so only tags travel here, inside the lock.
Status RegistryPublication::tag(const oci::OciLayout& layout, const oci::Descriptor& manifest,
                                std::int64_t number) {
  // The attestations first: a version tag in the registry always has them.
  IGNITE_RETURN_IF_ERROR(push_referrers(layout, manifest));
  const std::string tag = "v" + std::to_string(number);
  IGNITE_ASSIGN_OR_RETURN(std::optional<oci::Descriptor> existing,
                          client_.head_manifest(repository(), tag));
  if (existing) {
    if (existing->digest == manifest.digest) return ok_status();
    return failed_precondition("tag " + tag + " in registry " + host_ + " repository " +
                               repository() + " already names " + existing->digest.to_string() +
                               ", not " + manifest.digest.to_string() +
                               "; version tags are never moved");
  }
  IGNITE_ASSIGN_OR_RETURN(std::string bytes, layout.read_blob(manifest.digest));
  return client_.put_manifest(repository(), tag, manifest.media_type, bytes);
}

}  // namespace ignite::pipeline
