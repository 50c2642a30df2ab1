#include "builder/containerd/image_import.h"

#include <chrono>
#include <random>

#include "builder/oci/epoch.h"
#include "builder/registry/manifest_content.h"
#include "builder/util/fault.h"
#include "builder/util/wall_clock.h"

namespace ignite::containerd {
namespace {

namespace images_api = ::containerd::services::images::v1;
namespace leases_api = ::containerd::services::leases::v1;

std::string random_hex(int digits) {
  std::random_device random;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < digits; ++i) s += kHex[random() & 15];
  return s;
}

// The lease an import runs under; deleted when this goes away (the collector then judges what
// it held by the image record alone).
class ImportLease {
 public:
  static Result<ImportLease> create(ContainerdConnection& c) {
    leases_api::CreateRequest request;
    request.set_id("ignite-builder-import-" + random_hex(16));
    const auto expires =
        oci::Epoch::from_seconds(unix_now_seconds() + std::chrono::seconds(kLeaseLifetime).count());
    if (!expires.ok()) return expires.status();
    (*request.mutable_labels())[kLeaseExpiryLabel] = expires->rfc3339();
    leases_api::CreateResponse response;
    grpc::Status s = c.leases().Create(c.call_context().get(), request, &response);
    if (!s.ok()) return c.error(s, "creating a lease");
    return ImportLease(c, response.lease().id());
  }
  ImportLease(ImportLease&& other) noexcept
      : c_(other.c_), id_(std::exchange(other.id_, std::string())) {}
  ImportLease& operator=(ImportLease&&) = delete;
  ~ImportLease() {
    if (id_.empty()) return;
    leases_api::DeleteRequest request;
    request.set_id(id_);
    google::protobuf::Empty empty;
    // Best effort: a lease left behind expires by its label.
    (void)c_->leases().Delete(c_->call_context().get(), request, &empty);
  }
  const std::string& id() const { return id_; }

 private:
  ImportLease(ContainerdConnection& c, std::string id) : c_(&c), id_(std::move(id)) {}
  ContainerdConnection* c_;
  std::string id_;
};

// The record `name` holds, or nullopt when there is none.
Result<std::optional<images_api::Image>> get_record(ContainerdConnection& c,
                                                    const std::string& name) {
  images_api::GetImageRequest request;
  request.set_name(name);
  images_api::GetImageResponse response;
  grpc::Status s = c.images().Get(c.call_context().get(), request, &response);
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) return std::optional<images_api::Image>();
  if (!s.ok()) return c.error(s, "reading image " + name);
  return std::optional<images_api::Image>(response.image());
}

Status check_record(ContainerdConnection& c, const images_api::Image& record,
                    const oci::Descriptor& manifest) {
  if (record.target().digest() == manifest.digest.to_string()) return ok_status();
  return failed_precondition("containerd at " + c.target().socket + ": image " + record.name() +
                             " in namespace " + c.target().ns + " already names " +
                             record.target().digest() + ", not " + manifest.digest.to_string() +
                             "; a version's record is never moved (if it is wrong, remove it: "
                             "ctr -n " +
                             c.target().ns + " images rm " + record.name() + ")");
}

class Importer {
 public:
  Importer(ContainerdConnection& c, const oci::OciLayout& layout, const std::string& lease,
           const ImportObserver& observer, ImportResult& result)
      : c_(c), layout_(layout), lease_(lease), observer_(observer), result_(result) {}

  // The manifest (or index) and everything it refers to, children first.
  Status import_manifest(const oci::Descriptor& manifest) {
    IGNITE_ASSIGN_OR_RETURN(std::string bytes, layout_.read_blob(manifest.digest));
    IGNITE_ASSIGN_OR_RETURN(registry::ManifestContent content,
                            registry::parse_manifest_content(bytes, manifest.media_type));
    for (const oci::Descriptor& blob : content.blobs) {
      if (registry::is_foreign_layer(blob.media_type)) continue;  // referred to, never stored
      IGNITE_RETURN_IF_ERROR(write(blob, {}));
    }
    for (const oci::Descriptor& child : content.manifests) {
      IGNITE_RETURN_IF_ERROR(import_manifest(child));
    }
    return write(manifest, gc_labels(content));
  }

 private:
  Status write(const oci::Descriptor& blob, const std::map<std::string, std::string>& labels) {
    if (!layout_.has_blob(blob.digest)) {
      return not_found("blob " + blob.digest.to_string() + " is not in the OCI layout " +
                       layout_.dir());
    }
    IGNITE_ASSIGN_OR_RETURN(BlobWrite w,
                            write_blob(c_, lease_, blob, layout_.blob_path(blob.digest), labels));
    ++result_.blobs;
    result_.bytes_total += blob.size;
    if (w.written) ++result_.blobs_written;
    result_.bytes_sent += w.bytes_sent;
    if (observer_) observer_(blob, w);
    fault_point("containerd-blob");
    return ok_status();
  }

  ContainerdConnection& c_;
  const oci::OciLayout& layout_;
  const std::string& lease_;
  const ImportObserver& observer_;
  ImportResult& result_;
};

}  // namespace

std::map<std::string, std::string> gc_labels(const registry::ManifestContent& content) {
  std::map<std::string, std::string> labels;
  const std::string prefix = "containerd.io/gc.ref.content.";
  for (std::size_t i = 0; i < content.blobs.size(); ++i) {
    const oci::Descriptor& d = content.blobs[i];
    if (registry::is_foreign_layer(d.media_type)) continue;  // not in any content store
    labels[prefix + (i == 0 ? std::string("config") : "l." + std::to_string(i - 1))] =
        d.digest.to_string();
  }
  for (std::size_t i = 0; i < content.manifests.size(); ++i) {
    labels[prefix + "m." + std::to_string(i)] = content.manifests[i].digest.to_string();
  }
  return labels;
}

Result<ImportResult> import_image(ContainerdConnection& c, const oci::OciLayout& layout,
                                  const oci::Descriptor& manifest, const std::string& name,
                                  const ImportObserver& observer) {
  ImportResult result{.name = name, .manifest = manifest};

  IGNITE_ASSIGN_OR_RETURN(auto existing, get_record(c, name));
  if (existing) IGNITE_RETURN_IF_ERROR(check_record(c, *existing, manifest));

  const auto lease_made = std::chrono::steady_clock::now();
  IGNITE_ASSIGN_OR_RETURN(ImportLease lease, ImportLease::create(c));
  Importer importer(c, layout, lease.id(), observer, result);
  IGNITE_RETURN_IF_ERROR(importer.import_manifest(manifest));
  fault_point("containerd-record");
  // An expired lease protects nothing: blobs written early may be gone.
  if (std::chrono::steady_clock::now() - lease_made > kLeaseLifetime - std::chrono::minutes(5)) {
    return Status(Code::kDeadlineExceeded,
                  "containerd at " + c.target().socket + ": importing " + name +
                      " took about as long as its lease lasts (" +
                      std::to_string(kLeaseLifetime.count()) +
                      " h); its blobs may have been collected, so no record was made");
  }

  // Created even when the guard saw the record: it may have been removed since.
  images_api::CreateImageRequest request;
  images_api::Image& image = *request.mutable_image();
  image.set_name(name);
  image.mutable_target()->set_media_type(manifest.media_type);
  image.mutable_target()->set_digest(manifest.digest.to_string());
  image.mutable_target()->set_size(manifest.size);
  images_api::CreateImageResponse created;
  grpc::Status s = c.images().Create(c.call_context(lease.id()).get(), request, &created);
  if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
    // There already, or another import made it meanwhile: fine when it names this manifest.
    IGNITE_ASSIGN_OR_RETURN(auto now, get_record(c, name));
    if (!now) return c.error(s, "creating image " + name);
    IGNITE_RETURN_IF_ERROR(check_record(c, *now, manifest));
    result.record = ImageRecord::kUnchanged;
    return result;
  }
  if (!s.ok()) return c.error(s, "creating image " + name);
  result.record = ImageRecord::kCreated;
  return result;
}

}  // namespace ignite::containerd
