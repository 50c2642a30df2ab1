// Unpacking layers with our own openat() walk rather than libarchive's disk writer: whiteouts
// delete files, and a deletion must be confined to `dest` exactly as a write is. Every path is
// walked one component at a time from a descriptor of `dest` with O_NOFOLLOW, so no entry
// (written, linked or whited out) ever resolves through a symlink, and ".." and absolute
// paths are refused before any walk. Nothing else changes the tree while it is unpacked, so
// checking a component and then using it is not a race.
#include "builder/oci/rootfs_unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "builder/oci/media_types.h"
#include "builder/util/archive_read.h"
#include "builder/util/gzip_inflater.h"
#include "builder/util/path_text.h"
#include "builder/util/sha256.h"
#include "builder/util/unique_fd.h"

namespace ignite::oci {
namespace {

constexpr std::size_t kReadChunk = 1 << 20;
constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueWhiteout = ".wh..wh..opq";

// "./a//b/" -> "a/b"; "" for the root itself. INVALID_ARGUMENT for an absolute path or "..".
Result<std::string> normalize(const std::string& raw) {
  if (raw.starts_with('/')) return invalid_argument("absolute paths are refused");
  std::string out;
  std::size_t start = 0;
  while (start <= raw.size()) {
    std::size_t slash = raw.find('/', start);
    if (slash == std::string::npos) slash = raw.size();
    const std::string_view part(raw.data() + start, slash - start);
    if (part == "..") return invalid_argument("\"..\" is refused");
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out += part;
    }
    start = slash + 1;
  }
  return out;
}

// Streams a layer blob to libarchive: hashes the stored bytes (the layer digest), inflates
// gzip here (all members; no padding, as Go's readers) and hashes the tar (the diff_id), so
// that the unpacked tree is exactly what the image names.
class LayerSource {
 public:
  LayerSource(int fd, bool gzip) : fd_(fd), in_(kReadChunk) {
    if (gzip) {
      z_.emplace(GzipPadding::kRefused);
      out_.resize(kReadChunk);
    }
  }
  LayerSource(const LayerSource&) = delete;
  LayerSource& operator=(const LayerSource&) = delete;

  void attach(archive* a) {
    archive_read_set_callback_data(a, this);
    archive_read_set_read_callback(a, &LayerSource::read_cb);
  }
  // Set when reading or inflating failed; libarchive itself would only say "read error".
  const Status& status() const { return status_; }

  // Reads what libarchive left after the end-of-archive marker, so the digests cover it all.
  Status drain() {
    const void* buf = nullptr;
    for (;;) {
      const la_ssize_t n = next(&buf);
      if (n < 0) return status_;
      if (n == 0) return ok_status();
    }
  }
  Digest stored_digest() { return Digest::from_bytes(stored_.finish()); }
  Digest tar_digest() { return Digest::from_bytes(tar_.finish()); }

 private:
  static la_ssize_t read_cb(archive* a, void* self, const void** buf) {
    auto* s = static_cast<LayerSource*>(self);
    const la_ssize_t n = s->next(buf);
    if (n < 0) archive_set_error(a, EIO, "%s", s->status_.message().c_str());
    return n;
  }

  // The next bytes of the tar; 0 at its end, -1 on an error (status_).
  la_ssize_t next(const void** buf) {
    if (!z_) {
      const la_ssize_t n = read_some();
      if (n > 0) tar_.update(in_.data(), static_cast<std::size_t>(n));
      *buf = in_.data();
      return n;
    }
    *buf = out_.data();
    for (;;) {
      if (z_->needs_input()) {
        const la_ssize_t n = read_some();
        if (n < 0) return -1;
        if (n == 0) {
          status_ = z_->finish();
          return status_.ok() ? 0 : -1;
        }
        z_->feed(std::string_view(in_.data(), static_cast<std::size_t>(n)));
      }
      auto produced = z_->inflate(out_.data(), out_.size());
      if (!produced.ok()) {
        status_ = data_loss(produced.status().message());
        return -1;
      }
      if (*produced > 0) {
        tar_.update(out_.data(), *produced);
        return static_cast<la_ssize_t>(*produced);
      }
    }
  }

  la_ssize_t read_some() {
    if (eof_) return 0;
    for (;;) {
      const ssize_t n = ::read(fd_, in_.data(), in_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        status_ = errno_status("reading the blob", errno);
        return -1;
      }
      if (n == 0) eof_ = true;
      stored_.update(in_.data(), static_cast<std::size_t>(n));
      return n;
    }
  }

  int fd_;
  bool eof_ = false;
  std::vector<char> in_;
  std::vector<char> out_;
  std::optional<GzipInflater> z_;
  Sha256 stored_;
  Sha256 tar_;
  Status status_;
};

// What a directory entry asks for, applied once every layer is in: applied earlier, a
// read-only directory would stop later entries from being written into it.
struct DirMeta {
  mode_t mode;
  uid_t uid;
  gid_t gid;
  timespec mtime;
};

class Unpacker {
 public:
  Unpacker(UniqueFd root, bool as_root) : root_(std::move(root)), as_root_(as_root) {}

  void begin_layer() {
    layer_paths_.clear();
    forget_cached_dir();
  }

  Status entry(archive* a, archive_entry* e) {
    IGNITE_ASSIGN_OR_RETURN(const std::string rel, normalize(archive_entry_name(e)));
    if (rel.empty()) return ok_status();  // "./": the root is `dest` itself
    const std::string name = path_base(rel);
    if (name.starts_with(kWhiteoutPrefix)) return whiteout(rel, name);

    const std::string link = archive_entry_hardlink_name(e);
    const mode_t type = archive_entry_filetype(e);
    if (link.empty() && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
      return ok_status();  // devices, fifos, sockets: nothing that runs here needs them
    }
    std::string target;
    if (!link.empty()) {
      auto t = normalize(link);
      if (!t.ok()) return t.status().with_context("hard link target \"" + link + "\"");
      target = std::move(*t);
      if (target == rel) return ok_status();  // a link to itself changes nothing
    }

    IGNITE_ASSIGN_OR_RETURN(const int dir, open_dir(path_parent(rel), /*create=*/true));
    struct stat existing {};
    const bool exists = ::fstatat(dir, name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
    if (!exists && errno != ENOENT) return errno_status("checking what is there", errno);
    layer_paths_.insert(rel);

    if (link.empty() && type == AE_IFDIR) {
      if (!exists || !S_ISDIR(existing.st_mode)) {
        if (exists) IGNITE_RETURN_IF_ERROR(remove_at(dir, name, rel));
        // Writable until finish() applies the entry's own mode.
        if (::mkdirat(dir, name.c_str(), 0755) != 0) return errno_status("mkdir", errno);
      }
      dirs_[rel] = DirMeta{static_cast<mode_t>(archive_entry_perm(e) & 07777),
                           static_cast<uid_t>(archive_entry_uid(e)),
                           static_cast<gid_t>(archive_entry_gid(e)), mtime_of(e)};
      return ok_status();
    }
    if (exists) IGNITE_RETURN_IF_ERROR(remove_at(dir, name, rel));
    if (!link.empty()) return hard_link(dir, name, target);
    if (type == AE_IFLNK) return symlink(dir, name, archive_entry_symlink_name(e), e);
    return regular_file(a, e, dir, name);
  }

  // Gives directories their modes, owners and mtimes, deepest first (a parent made
  // unsearchable first would hide its children).
  Status finish() {
    forget_cached_dir();
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
      const std::string& rel = it->first;
      auto dir = open_dir(rel, /*create=*/false);
      if (!dir.ok()) {
        if (dir.status().code() == Code::kNotFound) continue;  // removed by a later layer
        return dir.status().with_context("directory \"" + rel + "\"");
      }
      const int fd = *dir;
      const DirMeta& m = it->second;
      if (as_root_ && ::fchown(fd, m.uid, m.gid) != 0)
        return errno_status("directory \"" + rel + "\": chown", errno);
      if (::fchmod(fd, m.mode) != 0) return errno_status("directory \"" + rel + "\": chmod", errno);
      const timespec times[2] = {m.mtime, m.mtime};
      if (::futimens(fd, times) != 0)
        return errno_status("directory \"" + rel + "\": utimens", errno);
      forget_cached_dir();
    }
    return ok_status();
  }

 private:
  static timespec mtime_of(archive_entry* e) {
    return timespec{static_cast<time_t>(archive_entry_mtime(e)), archive_entry_mtime_nsec(e)};
  }

  void forget_cached_dir() {
    cached_dir_.reset();
    cached_path_.reset();
  }

  // A descriptor of the directory `rel` (owned by this object, valid until the next call),
  // reached without following any symlink. With `create`, missing directories are made (0755,
  // as tar makes a parent no entry describes). NOT_FOUND when one is missing otherwise.
  Result<int> open_dir(const std::string& rel, bool create) {
    if (rel.empty()) return root_.get();
    if (cached_path_ && *cached_path_ == rel) return cached_dir_->get();
    UniqueFd cur;
    int at = root_.get();
    std::string walked;
    for (const std::string& part : split_path(rel)) {
      walked = join_path(walked, part);
      UniqueFd next(::openat(at, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (next.get() < 0 && errno == ENOENT && create) {
        if (::mkdirat(at, part.c_str(), 0755) != 0 && errno != EEXIST)
          return errno_status("creating the directory \"" + walked + "\"", errno);
        next =
            UniqueFd(::openat(at, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      }
      if (next.get() < 0) {
        const int err = errno;
        struct stat st {};
        if (err == ENOENT) return not_found("\"" + walked + "\" does not exist");
        if (::fstatat(at, part.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
          if (S_ISLNK(st.st_mode))
            return invalid_argument("\"" + walked +
                                    "\" is a symlink, and nothing is written "
                                    "through a symlink");
          if (!S_ISDIR(st.st_mode))
            return invalid_argument("\"" + walked + "\" is not a directory");
        }
        return errno_status("opening the directory \"" + walked + "\"", err);
      }
      cur = std::move(next);
      at = cur.get();
    }
    cached_dir_ = std::move(cur);
    cached_path_ = rel;
    return cached_dir_->get();
  }

  // Removes `name` in `dir` (the path `rel`), a whole tree for a directory.
  Status remove_at(int dir, const std::string& name, const std::string& rel) {
    struct stat st {};
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return ok_status();
      return errno_status("checking \"" + rel + "\"", errno);
    }
    if (!S_ISDIR(st.st_mode)) {
      if (::unlinkat(dir, name.c_str(), 0) != 0)
        return errno_status("removing \"" + rel + "\"", errno);
      return ok_status();
    }
    // `dir` is never the cached directory's descendant (it is the parent of `rel`), but the
    // cache may be `rel` or below it, soon gone.
    if (cached_path_ && (*cached_path_ == rel || cached_path_->starts_with(rel + "/")))
      forget_cached_dir();
    UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (fd.get() < 0) return errno_status("opening the directory \"" + rel + "\"", errno);
    IGNITE_RETURN_IF_ERROR(clear_dir(fd.get(), rel, nullptr));
    if (::unlinkat(dir, name.c_str(), AT_REMOVEDIR) != 0)
      return errno_status("removing the directory \"" + rel + "\"", errno);
    forget_dir_meta(rel);
    return ok_status();
  }

  // Removes what the directory `fd` (the path `rel`) holds; with `keep`, entries whose path is
  // in it stay (directories among them are cleared the same way): an opaque whiteout hides
  // only what lower layers put there.
  Status clear_dir(int fd, const std::string& rel, const std::set<std::string>* keep) {
    IGNITE_ASSIGN_OR_RETURN(std::vector<std::string> children, list_dir(fd, rel));
    for (const std::string& child : children) {
      const std::string child_rel = join_path(rel, child);
      if (keep == nullptr || !keep->contains(child_rel)) {
        IGNITE_RETURN_IF_ERROR(remove_at(fd, child, child_rel));
        continue;
      }
      UniqueFd sub(::openat(fd, child.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (sub.get() >= 0) IGNITE_RETURN_IF_ERROR(clear_dir(sub.get(), child_rel, keep));
    }
    return ok_status();
  }

  static Result<std::vector<std::string>> list_dir(int fd, const std::string& rel) {
    const int dup_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (dup_fd < 0) return errno_status("listing \"" + rel + "\"", errno);
    DIR* d = ::fdopendir(dup_fd);
    if (d == nullptr) {
      const int err = errno;
      ::close(dup_fd);
      return errno_status("listing \"" + rel + "\"", err);
    }
    std::vector<std::string> names;
    errno = 0;
    while (dirent* ent = ::readdir(d)) {
      const std::string_view n = ent->d_name;
      if (n != "." && n != "..") names.emplace_back(n);
    }
    const int err = errno;
    ::closedir(d);
    if (err != 0) return errno_status("listing \"" + rel + "\"", err);
    return names;
  }

  void forget_dir_meta(const std::string& rel) {
    dirs_.erase(rel);
    const std::string prefix = rel + "/";
    for (auto it = dirs_.lower_bound(prefix); it != dirs_.end() && it->first.starts_with(prefix);)
      it = dirs_.erase(it);
  }

  // ".wh.NAME" removes NAME of lower layers; ".wh..wh..opq" empties its directory of what lower
  // layers put there. Whiteouts never apply to entries of their own layer (image-spec
  // layer.md), and other ".wh..wh." names (aufs bookkeeping) mean nothing here.
  Status whiteout(const std::string& rel, const std::string& name) {
    const std::string dir_rel = path_parent(rel);
    const bool opaque = name == kOpaqueWhiteout;
    std::string victim;
    if (!opaque) {
      if (name.starts_with(std::string(kWhiteoutPrefix) + std::string(kWhiteoutPrefix)))
        return ok_status();
      victim = name.substr(kWhiteoutPrefix.size());
      if (victim.empty() || victim == "." || victim == "..")
        return invalid_argument("a whiteout must name a file");
      if (layer_paths_.contains(join_path(dir_rel, victim))) return ok_status();
    }
    // Nothing to hide when the directory is not there. Its own descriptor: removing may
    // drop the cache.
    auto dir = open_dir(dir_rel, /*create=*/false);
    if (!dir.ok()) return dir.status().code() == Code::kNotFound ? ok_status() : dir.status();
    UniqueFd dir_fd(::fcntl(*dir, F_DUPFD_CLOEXEC, 0));
    if (dir_fd.get() < 0) return errno_status("opening \"" + dir_rel + "\"", errno);
    forget_cached_dir();
    if (opaque) return clear_dir(dir_fd.get(), dir_rel, &layer_paths_);
    return remove_at(dir_fd.get(), victim, join_path(dir_rel, victim));
  }

  Status hard_link(int dir, const std::string& name, const std::string& target) {
    // The cache holds one descriptor: keep the new link's directory while the target's is
    // opened.
    UniqueFd link_dir(::fcntl(dir, F_DUPFD_CLOEXEC, 0));
    if (link_dir.get() < 0) return errno_status("hard link", errno);
    auto target_dir = open_dir(path_parent(target), /*create=*/false);
    if (!target_dir.ok()) {
      return target_dir.status().with_context("hard link target \"" + target + "\"");
    }
    const std::string target_name = path_base(target);
    struct stat st {};
    if (::fstatat(*target_dir, target_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT)
        return invalid_argument("hard link target \"" + target + "\" does not exist");
      return errno_status("hard link target \"" + target + "\"", errno);
    }
    if (S_ISDIR(st.st_mode))
      return invalid_argument("hard link target \"" + target + "\" is a directory");
    // No AT_SYMLINK_FOLLOW: a link to a symlink links the symlink, never what it points to.
    if (::linkat(*target_dir, target_name.c_str(), link_dir.get(), name.c_str(), 0) != 0)
      return errno_status("linking to \"" + target + "\"", errno);
    return ok_status();
  }

  Status symlink(int dir, const std::string& name, const std::string& target, archive_entry* e) {
    if (target.empty()) return invalid_argument("a symlink with an empty target");
    if (::symlinkat(target.c_str(), dir, name.c_str()) != 0) return errno_status("symlink", errno);
    if (as_root_ && ::fchownat(dir, name.c_str(), static_cast<uid_t>(archive_entry_uid(e)),
                               static_cast<gid_t>(archive_entry_gid(e)), AT_SYMLINK_NOFOLLOW) != 0)
      return errno_status("chown", errno);
    const timespec t = mtime_of(e);
    const timespec times[2] = {t, t};
    if (::utimensat(dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
      return errno_status("utimensat", errno);
    return ok_status();
  }

  Status regular_file(archive* a, archive_entry* e, int dir, const std::string& name) {
    UniqueFd fd(
        ::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.get() < 0) return errno_status("creating the file", errno);
    for (;;) {
      const void* buf = nullptr;
      std::size_t size = 0;
      la_int64_t offset = 0;
      const int r = archive_read_data_block(a, &buf, &size, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return data_loss("reading: " + archive_error(a));
      const char* p = static_cast<const char*>(buf);
      while (size > 0) {  // at offsets: a sparse file keeps its holes
        const ssize_t n = ::pwrite(fd.get(), p, size, offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_status("writing", errno);
        p += n;
        size -= static_cast<std::size_t>(n);
        offset += n;
      }
    }
    if (archive_entry_size_is_set(e) && ::ftruncate(fd.get(), archive_entry_size(e)) != 0)
      return errno_status("setting the size", errno);
    // Owner before mode: chown clears the setuid and setgid bits.
    if (as_root_ && ::fchown(fd.get(), static_cast<uid_t>(archive_entry_uid(e)),
                             static_cast<gid_t>(archive_entry_gid(e))) != 0)
      return errno_status("chown", errno);
    if (::fchmod(fd.get(), static_cast<mode_t>(archive_entry_perm(e) & 07777)) != 0)
      return errno_status("chmod", errno);
    const timespec t = mtime_of(e);
    const timespec times[2] = {t, t};
    if (::futimens(fd.get(), times) != 0) return errno_status("utimens", errno);
    return ok_status();
  }

  UniqueFd root_;
  bool as_root_;
  std::set<std::string> layer_paths_;  // written by the layer being unpacked
  std::map<std::string, DirMeta> dirs_;
  // The last directory open_dir() walked to: entries come sorted, so most share it.
  std::optional<UniqueFd> cached_dir_;
  std::optional<std::string> cached_path_;
};

Status unpack_layer(const OciLayout& layout, const Descriptor& layer, const Digest& diff_id,
                    Unpacker& unpacker) {
  const bool gzip =
      layer.media_type == kMediaTypeLayerGzip || layer.media_type == kMediaTypeDockerLayerGzip;
  if (!gzip && layer.media_type != kMediaTypeLayerTar) {
    return unimplemented("media type \"" + layer.media_type +
                         "\" cannot be unpacked here (only tar and tar+gzip)");
  }
  if (!layout.has_blob(layer.digest)) {
    return not_found("the blob is not in OCI layout " + layout.dir());
  }
  const std::string path = layout.blob_path(layer.digest);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return errno_status("opening " + path, errno);

  LayerSource source(fd.get(), gzip);
  ArchiveReadPtr a(archive_read_new());
  archive_read_support_format_tar(a.get());
  source.attach(a.get());
  auto read_failure = [&](archive* ar) {
    if (!source.status().ok()) return source.status();
    return invalid_argument("not a readable tar: " + archive_error(ar));
  };
  if (archive_read_open1(a.get()) != ARCHIVE_OK) return read_failure(a.get());
  unpacker.begin_layer();
  for (;;) {
    archive_entry* e = nullptr;
    const int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return read_failure(a.get());
    Status s = unpacker.entry(a.get(), e);
    if (!s.ok()) {
      if (!source.status().ok()) return source.status();
      return s.with_context("entry \"" + archive_entry_name(e) + "\"");
    }
  }
  IGNITE_RETURN_IF_ERROR(source.drain());
  if (const Digest stored = source.stored_digest(); stored != layer.digest) {
    return data_loss("the blob's content has digest " + stored.to_string());
  }
  if (const Digest tar = source.tar_digest(); tar != diff_id) {
    return data_loss("it decompresses to " + tar.to_string() + ", but the config's diff_id is " +
                     diff_id.to_string());
  }
  return ok_status();
}

}  // namespace

Status unpack_rootfs(const OciLayout& layout, const StoredImage& image, const std::string& dest) {
  const std::string context =
      "unpacking image " + image.manifest_descriptor.digest.to_string() + " into " + dest;
  if (image.config.diff_ids.size() != image.manifest.layers.size()) {
    return invalid_argument(context + ": the manifest and the config list different layers");
  }
  if (::mkdir(dest.c_str(), 0755) != 0) return errno_status(context + ": creating " + dest, errno);
  UniqueFd root(::open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (root.get() < 0) return errno_status(context + ": opening " + dest, errno);
  Unpacker unpacker(std::move(root), ::geteuid() == 0);
  for (std::size_t i = 0; i < image.manifest.layers.size(); ++i) {
    const Descriptor& layer = image.manifest.layers[i];
    Status s = unpack_layer(layout, layer, image.config.diff_ids[i], unpacker);
    if (!s.ok()) {
      return s.with_context(context + ": layer " + std::to_string(i) + " " +
                            layer.digest.to_string());
    }
  }
  return unpacker.finish().with_context(context);
}

}  // namespace ignite::oci
