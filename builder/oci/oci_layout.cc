// OciLayout: opening a layout, and its blobs. Refs are in layout_refs.cc.
#include "builder/oci/oci_layout.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "builder/oci/layout_lock.h"
#include "builder/oci/media_types.h"
#include "builder/util/file_io.h"
#include "builder/util/json_codec.h"

namespace ignite::oci {
namespace {

constexpr std::string_view kLayoutFileBytes = R"({"imageLayoutVersion":"1.0.0"})";
constexpr std::string_view kTempPrefix = ".tmp-";
constexpr std::size_t kCopyBufferBytes = 1 << 20;
// A blob writer retries this many times when its new temp file vanished before it was locked.
constexpr int kTempFileAttempts = 8;

Status make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    return errno_status("creating directory " + path, errno);
  }
  return ok_status();
}

bool is_regular_file(const std::string& path, struct stat* st) {
  return ::stat(path.c_str(), st) == 0 && S_ISREG(st->st_mode);
}

// Reads `fd` from offset 0 to its end, hashing; a read error is returned.
Result<std::pair<Digest, std::int64_t>> hash_fd(int fd, const std::string& path) {
  std::vector<char> buf(kCopyBufferBytes);
  Sha256 sha;
  std::int64_t off = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buf.data(), buf.size(), off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("reading back " + path, errno);
    }
    if (n == 0) break;
    sha.update(buf.data(), static_cast<std::size_t>(n));
    off += n;
  }
  return std::pair{Digest::from_bytes(sha.finish()), off};
}

}  // namespace

// ---- BlobWriter ----

BlobWriter::BlobWriter(std::string blob_dir, std::string temp_path, int fd)
    : blob_dir_(std::move(blob_dir)), temp_path_(std::move(temp_path)), fd_(fd) {}

BlobWriter::BlobWriter(BlobWriter&& o) noexcept
    : blob_dir_(std::move(o.blob_dir_)),
      temp_path_(std::move(o.temp_path_)),
      fd_(o.fd_),
      sha_(std::move(o.sha_)),
      size_(o.size_) {
  o.fd_ = -1;
  o.temp_path_.clear();
}

BlobWriter::~BlobWriter() {
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
  if (fd_ >= 0) ::close(fd_);  // after the unlink: the lock keeps cleaners off until then
}

Status BlobWriter::write(std::string_view data) {
  if (fd_ < 0) return failed_precondition("writing blob " + temp_path_ + ": already committed");
  sha_.update(data);
  size_ += static_cast<std::int64_t>(data.size());
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("writing blob " + temp_path_, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return ok_status();
}

Result<BlobInfo> BlobWriter::commit(const std::optional<Digest>& expected) {
  if (fd_ < 0) return failed_precondition("committing blob " + temp_path_ + ": already committed");
  const Digest digest = Digest::from_bytes(sha_.finish());
  if (expected && *expected != digest) {
    return data_loss("writing blob " + expected->to_string() + ": the bytes have digest " +
                     digest.to_string());
  }
  const std::string final_path = blob_dir_ + "/" + digest.hex();
  struct stat st {};
  if (is_regular_file(final_path, &st) && st.st_size == size_) {
    // Stored before, by us or another process, and synced then: a code-only change rewrites
    // the host layer's bytes every time, and this spares it the fsync.
    ::unlink(temp_path_.c_str());
  } else {
    if (::fsync(fd_) != 0) return errno_status("syncing blob " + temp_path_, errno);
    IGNITE_ASSIGN_OR_RETURN(auto reread, hash_fd(fd_, temp_path_));
    if (reread.first != digest || reread.second != size_) {
      return data_loss("writing blob " + digest.to_string() + ": the file " + temp_path_ +
                       " reads back as " + reread.first.to_string() + " (" +
                       std::to_string(reread.second) + " bytes), not what was written");
    }
    if (::rename(temp_path_.c_str(), final_path.c_str()) != 0) {
      return errno_status("renaming " + temp_path_ + " to " + final_path, errno);
    }
    IGNITE_RETURN_IF_ERROR(sync_directory(blob_dir_));
  }
  temp_path_.clear();
  // The bytes were synced and read back (or were already stored): close() can add nothing.
  ::close(fd_);
  fd_ = -1;
  return BlobInfo{digest, size_};
}

// ---- OciLayout ----

Result<OciLayout> OciLayout::open(const std::string& dir, CreateLayout create) {
  OciLayout layout(dir);
  const std::string context = "opening OCI layout " + dir;
  const std::string marker = dir + "/oci-layout";
  struct stat st {};
  if (create == CreateLayout::kIfMissing) {
    for (const std::string& d : {dir, dir + "/blobs", dir + "/blobs/sha256"}) {
      IGNITE_RETURN_IF_ERROR(make_dir(d).with_context(context));
    }
    if (!is_regular_file(marker, &st)) {
      IGNITE_RETURN_IF_ERROR(write_file_atomic(marker, kLayoutFileBytes).with_context(context));
    }
    // Created under the lock, so that a racing creator never replaces an index with refs.
    IGNITE_ASSIGN_OR_RETURN(LayoutLock lock, LayoutLock::acquire(dir));
    if (!is_regular_file(dir + "/index.json", &st)) {
      IGNITE_RETURN_IF_ERROR(
          write_file_atomic(dir + "/index.json", R"({"manifests":[],"mediaType":")" +
                                                     std::string(kMediaTypeIndex) +
                                                     R"(","schemaVersion":2})")
              .with_context(context));
    }
  }
  auto text = read_file(marker);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) {
      return failed_precondition(context + ": no oci-layout file (not an OCI image layout)");
    }
    return text.status().with_context(context);
  }
  auto j = parse_json_object(*text, "oci-layout");
  auto version = j.ok() ? json_string(*j, "imageLayoutVersion", "oci-layout") : j.status();
  if (!version.ok()) return failed_precondition(context + ": " + version.status().message());
  if (*version != "1.0.0") {
    return failed_precondition(context + ": imageLayoutVersion is \"" + *version +
                               "\", only \"1.0.0\" is known");
  }
  if (!is_regular_file(dir + "/index.json", &st)) {
    return failed_precondition(context + ": no index.json (not an OCI image layout)");
  }
  return layout;
}

std::string OciLayout::blob_path(const Digest& digest) const {
  return dir_ + "/blobs/sha256/" + digest.hex();
}

bool OciLayout::has_blob(const Digest& digest) const {
  struct stat st {};
  return is_regular_file(blob_path(digest), &st);
}

Result<std::string> OciLayout::read_blob(const Digest& digest, std::size_t max_bytes) const {
  const std::string path = blob_path(digest);
  const std::string context = "reading blob " + digest.to_string() + " from OCI layout " + dir_;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno_status(context, errno);
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    return resource_exhausted(context + ": " + std::to_string(st.st_size) + " bytes, more than " +
                              std::to_string(max_bytes) + " expected");
  }
  IGNITE_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  if (Digest::of(bytes) != digest) {
    return data_loss(context + ": the file's content has digest " + Digest::of(bytes).to_string() +
                     " (the blob is corrupt)");
  }
  return bytes;
}

Result<Descriptor> OciLayout::add_blob(std::string_view media_type, std::string_view bytes) {
  const Digest digest = Digest::of(bytes);
  Descriptor d{std::string(media_type), digest, static_cast<std::int64_t>(bytes.size()), {}, {}};
  struct stat st {};
  if (is_regular_file(blob_path(digest), &st) && st.st_size == d.size) return d;
  IGNITE_ASSIGN_OR_RETURN(BlobWriter w, begin_blob());
  IGNITE_RETURN_IF_ERROR(w.write(bytes));
  IGNITE_ASSIGN_OR_RETURN(BlobInfo info, w.commit(digest));
  (void)info;
  return d;
}

Result<BlobWriter> OciLayout::begin_blob() {
  const std::string blob_dir = dir_ + "/blobs/sha256";
  for (int attempt = 0; attempt < kTempFileAttempts; ++attempt) {
    std::string name = blob_dir + "/" + std::string(kTempPrefix) + "XXXXXX";
    int fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0) return errno_status("creating a temporary blob file in " + blob_dir, errno);
    // Held until the writer ends: remove_abandoned_temp_files() skips locked files.
    struct stat mine {
    }, there{};
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && ::fchmod(fd, 0644) == 0 && ::fstat(fd, &mine) == 0 &&
        ::stat(name.c_str(), &there) == 0 && mine.st_ino == there.st_ino) {
      return BlobWriter(blob_dir, name, fd);
    }
    ::close(fd);  // a cleaner took it before we locked it: try another name
  }
  return unavailable("creating a temporary blob file in " + blob_dir +
                     ": it kept disappearing (is something deleting files there?)");
}

Status OciLayout::copy_blob_from(const OciLayout& source, const Descriptor& blob) {
  const std::string context = "copying blob " + blob.digest.to_string() + " from OCI layout " +
                              source.dir() + " to " + dir_;
  if (has_blob(blob.digest)) return ok_status();
  const std::string from = source.blob_path(blob.digest);
  int fd = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno_status(context + ": opening " + from, errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  IGNITE_ASSIGN_OR_RETURN(BlobWriter w, begin_blob());
  std::vector<char> buf(kCopyBufferBytes);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status(context + ": reading " + from, errno);
    }
    if (n == 0) break;
    IGNITE_RETURN_IF_ERROR(w.write(std::string_view(buf.data(), static_cast<std::size_t>(n))));
  }
  auto info = w.commit(blob.digest);
  if (!info.ok()) return info.status().with_context(context);
  if (info->size != blob.size) {
    return data_loss(context + ": " + std::to_string(info->size) +
                     " bytes, but the descriptor says " + std::to_string(blob.size));
  }
  return ok_status();
}

Result<int> OciLayout::remove_abandoned_temp_files() {
  const std::string blob_dir = dir_ + "/blobs/sha256";
  DIR* d = ::opendir(blob_dir.c_str());
  if (d == nullptr) return errno_status("listing " + blob_dir, errno);
  std::vector<std::string> temps;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name.starts_with(kTempPrefix)) temps.emplace_back(name);
  }
  ::closedir(d);
  int removed = 0;
  for (const auto& name : temps) {
    const std::string path = blob_dir + "/" + name;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;  // committed or removed meanwhile
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && ::unlink(path.c_str()) == 0) ++removed;
    ::close(fd);
  }
  return removed;
}

}  // namespace ignite::oci
