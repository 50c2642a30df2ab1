#include "builder/oci/image_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <vector>

#include "builder/oci/media_types.h"
#include "builder/util/gzip_inflater.h"

namespace ignite::oci {
namespace {

// An index nested deeper than this is refused (a loop of indexes would otherwise never end).
constexpr int kMaxIndexDepth = 4;
constexpr std::size_t kReadBufferBytes = 1 << 20;

Result<StoredImage> read_at_depth(const OciLayout& layout, const Descriptor& d, int depth) {
  const std::string context =
      "reading image " + d.digest.to_string() + " from OCI layout " + layout.dir();
  if (d.media_type == kMediaTypeIndex || d.media_type == kMediaTypeDockerManifestList) {
    if (depth >= kMaxIndexDepth)
      return invalid_argument(context + ": image indexes nested too deep");
    IGNITE_ASSIGN_OR_RETURN(std::string bytes, layout.read_blob(d.digest));
    auto manifests = parse_index_manifests(bytes);
    if (!manifests.ok()) return manifests.status().with_context(context);
    for (const auto& m : *manifests) {
      if (m.platform && m.platform->os == kOs && m.platform->architecture == kArchitecture) {
        return read_at_depth(layout, m, depth + 1);
      }
    }
    return not_found(context + ": the image index has no " + std::string(kOs) + "/" +
                     std::string(kArchitecture) + " manifest");
  }
  auto bytes = layout.read_blob(d.digest);
  if (!bytes.ok()) return bytes.status().with_context(context);
  auto manifest = parse_manifest(*bytes);
  if (!manifest.ok()) return manifest.status().with_context(context);
  auto config_bytes = layout.read_blob(manifest->config.digest);
  if (!config_bytes.ok()) return config_bytes.status().with_context(context + ": config");
  auto config = parse_image_config(*config_bytes);
  if (!config.ok()) return config.status().with_context(context);
  if (config->diff_ids.size() != manifest->layers.size()) {
    return invalid_argument(context + ": the manifest lists " +
                            std::to_string(manifest->layers.size()) + " layers but the config " +
                            std::to_string(config->diff_ids.size()) + " diff_ids");
  }
  if (static_cast<std::int64_t>(bytes->size()) != d.size) {
    return data_loss(context + ": the manifest is " + std::to_string(bytes->size()) +
                     " bytes, but its descriptor says " + std::to_string(d.size));
  }
  return StoredImage{d, std::move(*manifest), std::move(*config_bytes), std::move(*config)};
}

// Streams a blob, hashing it as stored and, for a layer, as the tar it holds (decompressed by
// `gzip`). A gzip error stops the tar's hash, not the stored bytes' one.
class BlobHasher {
 public:
  // `tar`: also hash the uncompressed tar; `gzip`: the blob is gzip-compressed.
  Status run(const std::string& path, bool tar, bool gzip) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno_status("opening " + path, errno);
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    // Layers allow no zero padding after the last member: Go's readers refuse it.
    std::optional<GzipInflater> z;
    if (tar && gzip) z.emplace(GzipPadding::kRefused);
    std::vector<char> in(kReadBufferBytes), out(kReadBufferBytes);
    for (;;) {
      ssize_t n = ::read(fd, in.data(), in.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno_status("reading " + path, errno);
      }
      if (n == 0) break;
      stored_.update(in.data(), static_cast<std::size_t>(n));
      stored_size_ += static_cast<std::int64_t>(n);
      if (!tar || !tar_error_.ok()) continue;
      if (!gzip) {
        tar_.update(in.data(), static_cast<std::size_t>(n));
        continue;
      }
      z->feed(std::string_view(in.data(), static_cast<std::size_t>(n)));
      while (!z->needs_input()) {
        auto produced = z->inflate(out.data(), out.size());
        if (!produced.ok()) {
          tar_error_ = data_loss(path + " is not valid gzip: " + produced.status().message());
          break;
        }
        tar_.update(out.data(), *produced);
      }
    }
    if (tar && gzip && tar_error_.ok()) {
      if (Status s = z->finish(); !s.ok())
        tar_error_ = data_loss(path + " is not valid gzip: " + s.message());
    }
    return ok_status();
  }
  Digest stored_digest() { return Digest::from_bytes(stored_.finish()); }
  std::int64_t stored_size() const { return stored_size_; }
  Digest tar_digest() { return Digest::from_bytes(tar_.finish()); }
  const Status& tar_error() const { return tar_error_; }

 private:
  Sha256 stored_;
  Sha256 tar_;
  std::int64_t stored_size_ = 0;
  Status tar_error_;
};

}  // namespace

Result<StoredImage> read_image(const OciLayout& layout, const Descriptor& manifest) {
  return read_at_depth(layout, manifest, 0);
}

Result<StoredImage> read_image(const OciLayout& layout, std::string_view ref) {
  IGNITE_ASSIGN_OR_RETURN(Descriptor d, layout.resolve(ref));
  auto image = read_image(layout, d);
  if (!image.ok()) return image.status().with_context("ref \"" + std::string(ref) + "\"");
  return image;
}

Result<LayerFile> layer_file(const OciLayout& layout, const Descriptor& layer) {
  const bool gzip =
      layer.media_type == kMediaTypeLayerGzip || layer.media_type == kMediaTypeDockerLayerGzip;
  if (!gzip && layer.media_type != kMediaTypeLayerTar) {
    return unimplemented("media type \"" + layer.media_type +
                         "\" cannot be read here (only tar and tar+gzip)");
  }
  if (!layout.has_blob(layer.digest)) {
    return not_found("blob " + layer.digest.to_string() + " is not in OCI layout " + layout.dir());
  }
  return LayerFile{layout.blob_path(layer.digest), gzip};
}

Result<BlobContent> read_blob_content(const OciLayout& layout, const Descriptor& blob,
                                      BlobRole role) {
  const bool layer = role == BlobRole::kLayer;
  const bool gzip =
      blob.media_type == kMediaTypeLayerGzip || blob.media_type == kMediaTypeDockerLayerGzip;
  const bool tar = layer && (gzip || blob.media_type == kMediaTypeLayerTar);
  const std::string path = layout.blob_path(blob.digest);
  BlobHasher h;
  if (Status s = h.run(path, tar, gzip); !s.ok()) {
    if (s.code() == Code::kNotFound) {
      return not_found("blob " + blob.digest.to_string() + " is not in OCI layout " + layout.dir() +
                       " (no " + path + ")");
    }
    return s;
  }
  BlobContent content{h.stored_digest(), h.stored_size(), std::nullopt, ok_status()};
  if (!layer) return content;
  if (!tar) {
    content.uncompressed = unimplemented("media type \"" + blob.media_type +
                                         "\" cannot be decompressed here (only tar and tar+gzip)");
  } else if (!h.tar_error().ok()) {
    content.uncompressed = h.tar_error();
  } else {
    content.diff_id = h.tar_digest();
  }
  return content;
}

Status verify_image(const OciLayout& layout, const StoredImage& image) {
  const std::string context = "verifying image " + image.manifest_descriptor.digest.to_string() +
                              " in OCI layout " + layout.dir();
  // read_blob checks digests; sizes are checked here.
  auto check_size = [&](const Descriptor& d, std::int64_t actual, std::string_view what) {
    if (actual == d.size) return ok_status();
    return data_loss(context + ": " + std::string(what) + " " + d.digest.to_string() + " is " +
                     std::to_string(actual) + " bytes, but its descriptor says " +
                     std::to_string(d.size));
  };
  IGNITE_RETURN_IF_ERROR(check_size(
      image.manifest.config, static_cast<std::int64_t>(image.config_bytes.size()), "config"));
  if (Digest::of(image.config_bytes) != image.manifest.config.digest) {
    return data_loss(context + ": the config bytes do not match " +
                     image.manifest.config.digest.to_string());
  }
  for (std::size_t i = 0; i < image.manifest.layers.size(); ++i) {
    const Descriptor& layer = image.manifest.layers[i];
    const std::string what = "layer " + std::to_string(i);
    const bool gzip =
        layer.media_type == kMediaTypeLayerGzip || layer.media_type == kMediaTypeDockerLayerGzip;
    if (!gzip && layer.media_type != kMediaTypeLayerTar) {
      return unimplemented(context + ": " + what + " has media type \"" + layer.media_type +
                           "\", which cannot be checked here (only tar and tar+gzip)");
    }
    auto content = read_blob_content(layout, layer, BlobRole::kLayer);
    if (!content.ok()) return content.status().with_context(context + ": " + what);
    if (!content->diff_id) return content->uncompressed.with_context(context + ": " + what);
    IGNITE_RETURN_IF_ERROR(check_size(layer, content->size, what));
    if (content->digest != layer.digest) {
      return data_loss(context + ": " + what + " " + layer.digest.to_string() +
                       ": the blob's content has digest " + content->digest.to_string());
    }
    if (*content->diff_id != image.config.diff_ids[i]) {
      return data_loss(context + ": " + what + " " + layer.digest.to_string() +
                       " decompresses to " + content->diff_id->to_string() +
                       ", but the config's diff_id is " + image.config.diff_ids[i].to_string());
    }
  }
  return ok_status();
}

}  // namespace ignite::oci
