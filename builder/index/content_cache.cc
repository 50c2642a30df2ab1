#include "builder/index/content_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "builder/util/file_io.h"
#include "builder/util/sha256.h"

namespace ignite::index {

std::string default_cache_dir() {
  auto env = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
  if (auto d = env("IGNITE_CACHE_DIR")) return *d;
  if (auto s = env("IGNITE_STORE")) return *s + "/cache";
  if (::geteuid() == 0) return "/var/cache/ignite-builder";
  if (auto x = env("XDG_CACHE_HOME")) return *x + "/ignite-builder";
  return env("HOME").value_or(".") + "/.cache/ignite-builder";
}

Status write_cache_file(const std::string& path, std::string_view data) {
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::filesystem::create_directories(parent, ec);
  if (ec) return errno_status("creating cache directory " + parent.string(), ec.value());
  std::string tmpl = path + ".tmp-XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return errno_status("creating a temporary file beside " + path, errno);
  const std::string tmp(name.data());
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = errno_status("writing " + tmp, errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  ::fchmod(fd, 0644);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = errno_status("renaming " + tmp + " to " + path, errno);
    ::unlink(tmp.c_str());
    return s;
  }
  return ok_status();
}

std::string ContentCache::blob_path(std::string_view sha256_hex) const {
  return dir_ + "/blobs/sha256/" + std::string(sha256_hex);
}

std::optional<std::string> ContentCache::find_blob(std::string_view hex) const {
  if (!is_sha256_hex(hex)) return std::nullopt;
  const std::string path = blob_path(hex);
  auto bytes = read_file(path);
  if (!bytes.ok()) return std::nullopt;
  if (sha256_hex(*bytes) != hex) {
    ::unlink(path.c_str());  // damaged: fetch it again
    return std::nullopt;
  }
  return path;
}

Result<std::string> ContentCache::put_blob(std::string_view bytes, std::string_view hex) const {
  const std::string path = blob_path(hex);
  IGNITE_RETURN_IF_ERROR(write_cache_file(path, bytes).with_context("caching a download"));
  return path;
}

std::optional<std::string> ContentCache::find_metadata(std::string_view wheel_sha256) const {
  if (!is_sha256_hex(wheel_sha256)) return std::nullopt;
  auto text = read_file(dir_ + "/metadata/sha256/" + std::string(wheel_sha256));
  if (!text.ok()) return std::nullopt;
  return *text;
}

Status ContentCache::put_metadata(std::string_view wheel_sha256, std::string_view text) const {
  if (!is_sha256_hex(wheel_sha256)) return ok_status();
  return write_cache_file(dir_ + "/metadata/sha256/" + std::string(wheel_sha256), text)
      .with_context("caching metadata");
}

std::string ContentCache::lock_path(std::string_view key_hex) const {
  return dir_ + "/locks/" + std::string(key_hex) + ".toml";
}

}  // namespace ignite::index
