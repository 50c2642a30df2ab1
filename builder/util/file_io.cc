#include "builder/util/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "builder/util/unique_fd.h"

namespace ignite {
namespace {

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Result<std::string> read_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return errno_status("opening " + path, errno);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("reading " + path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

Status write_file_atomic(const std::string& path, std::string_view data, int mode,
                         Durability durability) {
  std::string tmpl = path + ".tmp-XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  UniqueFd fd(::mkostemp(name.data(), O_CLOEXEC));
  if (fd.get() < 0) return errno_status("creating a temporary file beside " + path, errno);
  std::string tmp(name.data());
  auto fail = [&](std::string_view what) {
    Status s = errno_status(std::string(what) + " " + tmp, errno);
    ::unlink(tmp.c_str());
    return s;
  };
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) return fail("setting the mode of");
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd.get(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("writing");
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  const bool synced = durability == Durability::kSynced;
  if (synced && ::fsync(fd.get()) != 0) return fail("syncing");
  // close() reports a delayed write error (NFS, quota) that write() did not.
  if (::close(fd.release()) != 0) return fail("closing");
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail("renaming to " + path + ":");
  }
  return synced ? sync_directory(dir_of(path)) : ok_status();
}

Status sync_directory(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return errno_status("opening directory " + dir + " to sync it", errno);
  if (::fsync(fd.get()) != 0 && errno != EINVAL) {
    return errno_status("syncing directory " + dir, errno);
  }
  return ok_status();
}

Result<std::string> make_temp_dir(const std::string& parent, std::string_view prefix) {
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) return errno_status("creating " + parent, ec.value());
  std::string dir = parent + "/" + std::string(prefix) + "XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    return errno_status("creating a directory in " + parent, errno);
  }
  return dir;
}

void remove_tree(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_symlink(path, ec) && fs::is_directory(path, ec)) {
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
    for (auto it = fs::directory_iterator(path, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
      if (!it->is_symlink(ec) && it->is_directory(ec)) remove_tree(it->path().string());
    }
  }
  fs::remove_all(path, ec);
}

}  // namespace ignite
