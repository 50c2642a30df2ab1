// Archive intake through libarchive: tar (ustar, pax, GNU), optionally gzip-compressed, and zip.
//
// gzip is inflated here (builder/util/gzip_inflater.h) rather than by libarchive so that every
// decompressed byte, including data libarchive would skip (padding, entries it ignores), is
// counted against the limits as it is produced: a gzip bomb stops within one buffer of the limit.
#include <archive.h>
#include <archive_entry.h>
#include <locale.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "builder/source/intake.h"
#include "builder/source/intake_checks.h"
#include "builder/source/source_path.h"
#include "builder/util/archive_read.h"
#include "builder/util/gzip_inflater.h"

namespace ignite {
namespace {

// Feeds libarchive from memory, inflating gzip (every member of it) on the way.
class StreamSource {
 public:
  StreamSource(std::string_view bytes, bool gzip, const IntakeChecks& checks)
      : in_(bytes), gzip_(gzip), checks_(checks) {
    if (gzip_) {
      gz_.emplace(GzipPadding::kZerosAllowed);  // as gzip -d, which warns and goes on
      out_.resize(kChunk);
    }
  }
  StreamSource(const StreamSource&) = delete;
  StreamSource& operator=(const StreamSource&) = delete;

  // Set when the source itself failed (a limit or corrupt gzip); preferred over libarchive's
  // own message, which would only say "read error".
  const Status& status() const { return status_; }

  void attach(archive* a) {
    archive_read_set_callback_data(a, this);
    archive_read_set_read_callback(a, &StreamSource::read_cb);
    if (!gzip_) archive_read_set_seek_callback(a, &StreamSource::seek_cb);  // zip's central directory
  }

 private:
  static constexpr std::size_t kChunk = 256 << 10;

  static la_ssize_t read_cb(archive* a, void* self, const void** buf) {
    auto* s = static_cast<StreamSource*>(self);
    la_ssize_t n = s->gzip_ ? s->inflate_some(buf) : s->plain_some(buf);
    if (n < 0) archive_set_error(a, EINVAL, "%s", s->status_.message().c_str());
    return n;
  }

  static la_int64_t seek_cb(archive*, void* self, la_int64_t offset, int whence) {
    auto* s = static_cast<StreamSource*>(self);
    la_int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? static_cast<la_int64_t>(s->pos_)
                                                                  : static_cast<la_int64_t>(s->in_.size());
    la_int64_t to = base + offset;
    if (to < 0 || to > static_cast<la_int64_t>(s->in_.size())) return ARCHIVE_FATAL;
    s->pos_ = static_cast<std::size_t>(to);
    return to;
  }

  la_ssize_t plain_some(const void** buf) {
    std::size_t n = std::min(kChunk, in_.size() - pos_);
    *buf = in_.data() + pos_;
    pos_ += n;
    if (Status s = checks_.check_stream_bytes(pos_); !s.ok()) {
      status_ = std::move(s);
      return -1;
    }
    return static_cast<la_ssize_t>(n);
  }

  la_ssize_t inflate_some(const void** buf) {
    *buf = out_.data();
    std::size_t produced = 0;
    while (produced == 0) {
      if (gz_->needs_input()) {
        if (pos_ == in_.size()) {
          status_ = gz_->finish();
          return status_.ok() ? 0 : -1;
        }
        const std::size_t n = std::min<std::size_t>(in_.size() - pos_, 1 << 20);
        gz_->feed(in_.substr(pos_, n));
        pos_ += n;
      }
      auto r = gz_->inflate(out_.data(), out_.size());
      if (!r.ok()) {
        status_ = r.status();
        return -1;
      }
      produced = *r;
    }
    inflated_ += produced;
    if (Status s = checks_.check_stream_bytes(inflated_); !s.ok()) {
      status_ = std::move(s);
      return -1;
    }
    return static_cast<la_ssize_t>(produced);
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  bool gzip_;
  const IntakeChecks& checks_;
  std::optional<GzipInflater> gz_;
  std::vector<char> out_;
  std::uint64_t inflated_ = 0;
  Status status_;
};

// libarchive converts member names between the archive's charset and the locale's. In the
// default "C" locale a zip's UTF-8-flagged names (what Python, Java, Go, macOS and Windows
// write for non-ASCII names) cannot be converted and come back empty. Reading under C.UTF-8,
// for this thread only, hands every name over as its UTF-8 bytes; validation is ours.
class Utf8ThreadLocale {
 public:
  Utf8ThreadLocale() : loc_(newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr))) {
    if (loc_ != static_cast<locale_t>(nullptr)) old_ = uselocale(loc_);
  }
  ~Utf8ThreadLocale() {
    if (loc_ == static_cast<locale_t>(nullptr)) return;
    uselocale(old_);
    freelocale(loc_);
  }
  Utf8ThreadLocale(const Utf8ThreadLocale&) = delete;
  Utf8ThreadLocale& operator=(const Utf8ThreadLocale&) = delete;

 private:
  locale_t loc_;
  locale_t old_ = static_cast<locale_t>(nullptr);
};

class ArchiveReader {
 public:
  explicit ArchiveReader(const IntakeOptions& options) : checks_(options.limits) {}

  Result<SourceTree> read(std::string_view bytes, SourceFormat format) {
    Utf8ThreadLocale utf8;
    ArchiveReadPtr a(archive_read_new());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    archive_read_support_format_zip(a.get());
    StreamSource source(bytes, format == SourceFormat::kGzip, checks_);
    source_ = &source;
    source.attach(a.get());
    if (archive_read_open1(a.get()) != ARCHIVE_OK) return fail(a.get());
    archive_entry* e = nullptr;
    for (;;) {
      int r = archive_read_next_header(a.get(), &e);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return fail(a.get());
      IGNITE_RETURN_IF_ERROR(read_entry(a.get(), e));
    }
    return std::move(tree_);
  }

 private:
  Status read_entry(archive* a, archive_entry* e) {
    std::string raw = archive_entry_name(e);
    std::string path = normalize_member_name(raw);
    const mode_t type = archive_entry_filetype(e);
    if (path.empty()) {
      if (type == AE_IFDIR && !raw.empty()) return ok_status();  // "./": the root itself
      const char* why = archive_error_string(a);
      return invalid_argument("entry " + quote_path(raw) + ": not a valid path" +
                              (raw.empty() && why ? std::string(" (") + why + ")" : std::string()));
    }
    if (Status s = validate_source_path(path); !s.ok()) {
      return s.with_context("entry " + quote_path(raw));
    }
    IGNITE_RETURN_IF_ERROR(checks_.count_entry(path));

    if (const char* hl = archive_entry_hardlink(e); hl != nullptr) return add_hardlink(path, hl);

    switch (type) {
      case AE_IFDIR:
        return tree_.add_directory(path);
      case AE_IFLNK: {
        const char* target = archive_entry_symlink(e);
        if (target == nullptr) target = archive_entry_symlink_utf8(e);
        return tree_.add(path, {EntryKind::kSymlink, target ? target : ""});
      }
      case AE_IFREG: {
        IGNITE_ASSIGN_OR_RETURN(std::string data, read_data(a, e, path));
        const bool exec = (archive_entry_perm(e) & 0100) != 0;
        return tree_.add(path, {exec ? EntryKind::kExecutable : EntryKind::kFile, std::move(data)});
      }
      default:
        return invalid_argument("entry " + quote_path(path) + ": " + file_type_name(type) +
                                " is not allowed (only regular files, directories and symlinks)");
    }
  }

  Result<std::string> read_data(archive* a, archive_entry* e, const std::string& path) {
    if (archive_entry_size_is_set(e)) {
      IGNITE_RETURN_IF_ERROR(
          checks_.check_file_size(path, static_cast<std::uint64_t>(archive_entry_size(e))));
    }
    std::string data;
    const void* buf = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    for (;;) {
      int r = archive_read_data_block(a, &buf, &size, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
        return fail(a).with_context("entry " + quote_path(path) + ": reading its data");
      }
      // Sparse files arrive as blocks at offsets; fill the holes with zeros.
      const auto end = static_cast<std::uint64_t>(offset) + size;
      IGNITE_RETURN_IF_ERROR(checks_.check_file_size(path, end));
      IGNITE_RETURN_IF_ERROR(checks_.add_bytes(path, end > data.size() ? end - data.size() : 0));
      if (data.size() < end) data.resize(end);
      if (size > 0) data.replace(static_cast<std::size_t>(offset), size, static_cast<const char*>(buf), size);
    }
    return data;
  }

  Status add_hardlink(const std::string& path, const char* raw_target) {
    std::string target = normalize_member_name(raw_target);
    auto refuse = [&](const std::string& why) {
      return invalid_argument("entry " + quote_path(path) + ": hard link to " +
                              quote_path(raw_target) + " " + why);
    };
    if (Status s = validate_source_path(target); !s.ok()) {
      return refuse("is not inside the source tree (" + s.message() + ")");
    }
    const SourceEntry* t = tree_.find(target);
    if (t == nullptr) return refuse("names no file earlier in the archive");
    if (t->kind == EntryKind::kSymlink) return refuse("names a symlink");
    SourceEntry copy = *t;  // hashed as the file it points to
    IGNITE_RETURN_IF_ERROR(checks_.add_bytes(path, copy.data.size()));
    return tree_.add(path, std::move(copy));
  }

  // The source's own error when it has one, else libarchive's.
  Status fail(archive* a) const {
    if (!source_->status().ok()) return source_->status();
    return invalid_argument("not a readable tar, tar.gz or zip archive: " + archive_error(a));
  }

  IntakeChecks checks_;
  SourceTree tree_;
  const StreamSource* source_ = nullptr;
};

}  // namespace

Result<SourceTree> read_archive_bytes(std::string_view bytes, std::string_view label,
                                      const IntakeOptions& options) {
  const std::string ctx = "reading archive " + std::string(label);
  SourceFormat format = sniff_source_format(bytes);
  if (format == SourceFormat::kHandlerText) {
    return invalid_argument("not a tar, tar.gz or zip archive (no gzip, zip or ustar magic)")
        .with_context(ctx);
  }
  ArchiveReader reader(options);
  auto tree = reader.read(bytes, format);
  if (!tree.ok()) return tree.status().with_context(ctx);
  if (Status s = finish_tree(*tree, options); !s.ok()) return s.with_context(ctx);
  return tree;
}

}  // namespace ignite
