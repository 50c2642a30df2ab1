#include "builder/wheel/wheel_zip.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <locale.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "builder/util/archive_read.h"
#include "builder/wheel/member_path.h"

namespace ignite::wheel {
namespace {

constexpr std::size_t kReadChunk = 64 << 10;

std::string file_type_name(unsigned type) {
  switch (type) {
    case AE_IFLNK:
      return "a symlink";
    case AE_IFCHR:
      return "a character device";
    case AE_IFBLK:
      return "a block device";
    case AE_IFIFO:
      return "a fifo";
    case AE_IFSOCK:
      return "a socket";
    default:
      return "an entry of unknown type";
  }
}

}  // namespace

// libarchive converts member names between the zip's charset and the locale's; under the
// default "C" locale UTF-8-flagged names (all of Python's zipfile's non-ASCII names) come back
// empty. C.UTF-8, for this thread and this pass only, hands every name over as its bytes;
// check_member_name validates them.
struct ZipPass::Locale {
  Locale() : loc(newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr))) {
    if (loc != static_cast<locale_t>(nullptr)) old = uselocale(loc);
  }
  ~Locale() {
    if (loc == static_cast<locale_t>(nullptr)) return;
    uselocale(old);
    freelocale(loc);
  }
  Locale(const Locale&) = delete;
  Locale& operator=(const Locale&) = delete;
  locale_t loc;
  locale_t old = static_cast<locale_t>(nullptr);
};

// pread() from our own offset, so the fd's position is never shared between passes.
struct ZipCallbacks {
  static la_ssize_t read(archive* a, void* self, const void** buf) {
    auto* p = static_cast<ZipPass*>(self);
    if (p->pos_ >= p->file_.size()) return 0;
    const auto want =
        static_cast<std::size_t>(std::min<std::uint64_t>(kReadChunk, p->file_.size() - p->pos_));
    ssize_t n;
    do {
      n = ::pread(p->file_.fd(), p->buf_.get(), want, static_cast<off_t>(p->pos_));
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      archive_set_error(a, errno, "reading the wheel file failed");
      return -1;
    }
    p->pos_ += static_cast<std::uint64_t>(n);
    *buf = p->buf_.get();
    return n;
  }

  static la_int64_t seek(archive*, void* self, la_int64_t offset, int whence) {
    auto* p = static_cast<ZipPass*>(self);
    const auto size = static_cast<la_int64_t>(p->file_.size());
    const la_int64_t base = whence == SEEK_SET   ? 0
                            : whence == SEEK_CUR ? static_cast<la_int64_t>(p->pos_)
                                                 : size;
    const la_int64_t to = base + offset;
    if (to < 0 || to > size) return ARCHIVE_FATAL;
    p->pos_ = static_cast<std::uint64_t>(to);
    return to;
  }
};

Result<WheelFile> WheelFile::open(const std::string& path, const InstallLimits& limits) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) return errno_status("opening " + path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return errno_status("reading " + path, errno);
  if (!S_ISREG(st.st_mode)) return invalid_argument(path + " is not a regular file");
  WheelFile file(std::move(fd), static_cast<std::uint64_t>(st.st_size));
  IGNITE_ASSIGN_OR_RETURN(file.central_,
                          read_central_directory(file.fd(), file.size(), limits.max_members));
  return file;
}

ZipPass::ZipPass(const WheelFile& file, const InstallLimits& limits)
    : file_(file), buf_(new char[kReadChunk]), limits_(limits) {}

ZipPass::~ZipPass() {
  if (a_ != nullptr) archive_read_free(a_);
}

Status ZipPass::damaged(std::string_view what) const {
  return data_loss(std::string(what) + ": " + archive_error(a_));
}

Status ZipPass::start() {
  locale_ = std::make_unique<Locale>();
  a_ = archive_read_new();
  if (a_ == nullptr) return internal_error("libarchive: out of memory");
  // Only the seekable reader: it lists members from the central directory, as zipfile does,
  // instead of trusting local headers met while streaming.
  archive_read_support_format_zip_seekable(a_);
  archive_read_set_callback_data(a_, this);
  archive_read_set_read_callback(a_, &ZipCallbacks::read);
  archive_read_set_seek_callback(a_, &ZipCallbacks::seek);
  if (archive_read_open1(a_) != ARCHIVE_OK) return damaged("not a readable zip file");
  return ok_status();
}

Result<std::optional<ZipMember>> ZipPass::next() {
  archive_entry* e = nullptr;
  const int r = archive_read_next_header(a_, &e);
  const std::vector<CentralEntry>& central = file_.central();
  if (r == ARCHIVE_EOF) {
    if (members_ != central.size()) {
      return data_loss("libarchive read " + std::to_string(members_) + " of the " +
                       std::to_string(central.size()) + " members in the central directory");
    }
    return std::optional<ZipMember>();
  }
  if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
    return current_.empty() ? damaged("reading the zip's first member")
                            : damaged("reading the zip member after " + quote_member(current_));
  }
  if (members_ >= central.size()) {
    return data_loss("libarchive read more members than the central directory lists");
  }
  entry_ = &central[members_++];
  const std::string& name = entry_->name;
  current_ = name;
  auto refuse = [&](const std::string& why) {
    return invalid_argument("member " + quote_member(name) + ": " + why);
  };
  // The type is libarchive's reading of the mode, except that it turns a fifo into a file
  // (an old Info-ZIP bug): the central directory's own mode is checked too.
  unsigned type = archive_entry_filetype(e);
  const unsigned central_type = entry_->unix_mode & AE_IFMT;
  if (central_type != 0 && central_type != AE_IFREG && central_type != AE_IFDIR) {
    type = central_type;
  }
  if (archive_entry_hardlink(e) != nullptr) return refuse("a hard link is not allowed");
  if (type != AE_IFREG && type != AE_IFDIR) {
    return refuse(file_type_name(type) + " is not allowed (only files and directories)");
  }
  ZipMember m;
  m.is_directory = type == AE_IFDIR;
  auto checked = check_member_name(name, m.is_directory);
  if (!checked.ok()) return checked.status().with_context("member " + quote_member(name));
  m.name = std::move(*checked);
  // zipfile tells directories by their trailing '/', libarchive also by their mode.
  if (m.is_directory && !name.ends_with('/')) {
    return refuse("a directory by its mode, a file by its name (no trailing '/')");
  }
  const char* local = archive_entry_pathname(e);
  if (local == nullptr || name != local) {
    return refuse("its local header names it " + quote_member(local ? local : "") +
                  " (tools would disagree on its name)");
  }
  if (r == ARCHIVE_WARN) return damaged("member " + quote_member(name));
  if (archive_entry_is_encrypted(e)) return refuse("encrypted members are not supported");
  m.executable = !m.is_directory && (archive_entry_perm(e) & 0100) != 0;
  m.declared_size = entry_->uncompressed_size;
  // The header's size is only a claim, but one over the limit needs no decompressing to refuse.
  if (m.declared_size > limits_.max_member_bytes) {
    return resource_exhausted("member " + quote_member(name) + ": " +
                              std::to_string(m.declared_size) + " bytes, over the limit of " +
                              std::to_string(limits_.max_member_bytes) + " per member");
  }
  return std::optional<ZipMember>(std::move(m));
}

Status ZipPass::read(const std::function<Status(std::string_view)>& sink, std::uint64_t cap) {
  std::uint64_t got = 0;
  char buf[kReadChunk];
  for (;;) {
    const la_ssize_t n = archive_read_data(a_, buf, sizeof buf);
    if (n == 0) {
      if (got != entry_->uncompressed_size) {
        return data_loss("holds " + std::to_string(got) + " bytes, its header says " +
                         std::to_string(entry_->uncompressed_size));
      }
      return ok_status();
    }
    if (n < 0) return damaged("reading its data");
    got += static_cast<std::uint64_t>(n);
    total_bytes_ += static_cast<std::uint64_t>(n);
    if (got > limits_.max_member_bytes) {
      return resource_exhausted("decompresses to more than the limit of " +
                                std::to_string(limits_.max_member_bytes) + " bytes per member");
    }
    if (got > cap) {
      return resource_exhausted("larger than " + std::to_string(cap) + " bytes");
    }
    if (total_bytes_ > limits_.max_total_bytes) {
      return resource_exhausted("the wheel decompresses to more than " +
                                std::to_string(limits_.max_total_bytes) + " bytes in all");
    }
    IGNITE_RETURN_IF_ERROR(sink(std::string_view(buf, static_cast<std::size_t>(n))));
  }
}

Result<std::string> ZipPass::read_all(std::uint64_t cap) {
  std::string out;
  IGNITE_RETURN_IF_ERROR(read(
      [&](std::string_view chunk) {
        out.append(chunk);
        return ok_status();
      },
      cap));
  return out;
}

}  // namespace ignite::wheel
