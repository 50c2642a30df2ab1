#include "builder/oci/layer_tar.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "builder/oci/tar_header.h"
#include "builder/source/source_path.h"

namespace ignite::oci {
namespace {

// Files on disk are copied through a buffer of this size.
constexpr std::size_t kReadBufferBytes = 1 << 20;

class FileReader {
 public:
  FileReader() : buf_(kReadBufferBytes) {}

  // Streams the file behind `entry` to `out`: exactly entry.size bytes, from the inode planned.
  Status copy(const std::string& path, const LayerEntry& entry, ByteSink& out) {
    const std::string& src = entry.source_path;
    auto changed = [&](std::string_view how) {
      return aborted("writing layer entry " + quote_path(path) + ": " + src + " " +
                     std::string(how) + " while the layer was written; retry the build");
    };
    int fd = ::open(src.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
      return errno_status("writing layer entry " + quote_path(path) + ": opening " + src, errno);
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return errno_status("reading the status of " + src, errno);
    if (static_cast<std::uint64_t>(st.st_ino) != entry.source_ino ||
        static_cast<std::uint64_t>(st.st_dev) != entry.source_dev) {
      return changed("was replaced");
    }
    if (static_cast<std::uint64_t>(st.st_size) != entry.size) return changed("changed size");
    std::uint64_t left = entry.size;
    while (left > 0) {
      ssize_t n = ::read(fd, buf_.data(), std::min<std::uint64_t>(left, buf_.size()));
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno_status("reading " + src, errno);
      }
      if (n == 0) return changed("shrank");
      IGNITE_RETURN_IF_ERROR(out.write(std::string_view(buf_.data(), static_cast<std::size_t>(n))));
      left -= static_cast<std::uint64_t>(n);
    }
    if (::fstat(fd, &st) != 0) return errno_status("reading the status of " + src, errno);
    if (static_cast<std::uint64_t>(st.st_size) != entry.size) return changed("grew");
    return ok_status();
  }

 private:
  std::vector<char> buf_;
};

}  // namespace

Status write_layer_tar(const LayerPlan& plan, Epoch epoch, ByteSink& out) {
  static const std::string kZeros(2 * kTarBlockBytes, '\0');
  FileReader reader;
  for (const auto& [path, entry] : plan.entries()) {
    IGNITE_ASSIGN_OR_RETURN(std::string headers, encode_tar_headers(path, entry, epoch.seconds()));
    IGNITE_RETURN_IF_ERROR(out.write(headers));
    if (entry.type != LayerEntryType::kRegular) continue;
    if (!entry.source_path.empty()) {
      IGNITE_RETURN_IF_ERROR(reader.copy(path, entry, out));
    } else {
      if (entry.data.size() != entry.size) {
        return internal_error("layer entry " + quote_path(path) + " holds " +
                              std::to_string(entry.data.size()) + " bytes but declares " +
                              std::to_string(entry.size));
      }
      IGNITE_RETURN_IF_ERROR(out.write(entry.data));
    }
    IGNITE_RETURN_IF_ERROR(out.write(std::string_view(kZeros.data(), tar_padding(entry.size))));
  }
  return out.write(kZeros);
}

}  // namespace ignite::oci
