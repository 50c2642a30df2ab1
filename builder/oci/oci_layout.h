// OciLayout: an OCI image layout directory (image-spec image-layout.md) used as a store that
// several processes share: the embedded registry, readable by skopeo and umoci.
//
//   DIR/oci-layout          {"imageLayoutVersion":"1.0.0"}
//   DIR/index.json          {"manifests":[..],"mediaType":"..index.v1+json","schemaVersion":2}
//                           each manifest named by an org.opencontainers.image.ref.name annotation
//   DIR/index.json.lock     empty; flock()ed around every index.json read-modify-write
//   DIR/blobs/sha256/HEX    content-addressed blobs, written once, never modified
//   DIR/blobs/sha256/.tmp-* blobs being written (flock()ed by their writer while alive)
//
// Blobs are written to a temp file beside their final name, fsynced, checked and renamed:
// a blob path, once there, holds the whole blob. A crash leaves only a temp file, which
// nothing reads and remove_abandoned_temp_files() deletes. index.json changes under an
// exclusive lock and is replaced atomically, so processes adding refs at once lose none;
// readers never take the lock. Blobs before refs: set_ref refuses a manifest not stored.
//
// Tools that write the same layout (skopeo copy, umoci) do not take the lock: don't run them
// on a store while a builder adds refs to it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/oci/byte_sink.h"
#include "builder/oci/descriptor.h"
#include "builder/util/digest.h"
#include "builder/util/sha256.h"
#include "builder/util/status.h"

namespace ignite::oci {

enum class CreateLayout { kNo, kIfMissing };
// What set_ref does when the ref already names another manifest.
enum class ExistingRef {
  kRefuse,   // ALREADY_EXISTS: refs such as "acme-corp/greet:v3" are never moved
  kReplace,  // move it (mutable names such as a base image's)
};

struct BlobInfo {
  Digest digest;
  std::int64_t size;
};

// Streams one blob into a layout. Not committed: the temp file goes away with the object.
class BlobWriter : public ByteSink {
 public:
  BlobWriter(BlobWriter&&) noexcept;
  BlobWriter& operator=(BlobWriter&&) = delete;
  ~BlobWriter() override;

  Status write(std::string_view data) override;
  // Syncs the temp file, re-reads it to check it holds what was written (and `expected`, when
  // given: DATA_LOSS otherwise), then renames it to blobs/sha256/<hex>; if that blob is
  // already there with the same size, keeps it and drops the temp file.
  Result<BlobInfo> commit(const std::optional<Digest>& expected = std::nullopt);

 private:
  friend class OciLayout;
  BlobWriter(std::string blob_dir, std::string temp_path, int fd);
  std::string blob_dir_;
  std::string temp_path_;
  int fd_;
  Sha256 sha_;
  std::int64_t size_ = 0;
};

struct RefEntry {
  std::string name;
  Descriptor manifest;
};

class OciLayout {
 public:
  // Opens (or creates: kIfMissing) the layout at `dir`. FAILED_PRECONDITION if `dir` exists
  // but is not an OCI layout of version 1.0.0.
  static Result<OciLayout> open(const std::string& dir, CreateLayout create);

  const std::string& dir() const { return dir_; }
  std::string blob_path(const Digest& digest) const;

  bool has_blob(const Digest& digest) const;
  // The whole blob, checked against its digest (DATA_LOSS on mismatch). RESOURCE_EXHAUSTED
  // above `max_bytes`: this is for manifests and configs; layers are streamed.
  Result<std::string> read_blob(const Digest& digest, std::size_t max_bytes = 16 << 20) const;
  // Stores `bytes`; a no-op when the blob is already there.
  Result<Descriptor> add_blob(std::string_view media_type, std::string_view bytes);
  // A writer for a blob whose digest is known only at its end (a layer being compressed).
  Result<BlobWriter> begin_blob();
  // Copies a blob from another layout (streamed, digest checked); a no-op when present.
  Status copy_blob_from(const OciLayout& source, const Descriptor& blob);

  // Points `name` (e.g. "acme-corp/greet:v1") at `manifest`, whose blob must be stored.
  // Setting a ref to the manifest it already names succeeds and changes nothing.
  Status set_ref(std::string_view name, const Descriptor& manifest, ExistingRef existing);
  // NOT_FOUND when no such ref.
  Status remove_ref(std::string_view name);
  // Named manifests in index.json order (entries without a ref name are not listed).
  Result<std::vector<RefEntry>> list_refs() const;
  // The manifest (or index) descriptor `name` points to; NOT_FOUND when none.
  Result<Descriptor> resolve(std::string_view name) const;

  // Deletes blob temp files no live writer holds (left by a crash). Returns how many.
  Result<int> remove_abandoned_temp_files();

 private:
  explicit OciLayout(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace ignite::oci
