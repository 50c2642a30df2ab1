#include "builder/git/tree_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "builder/git/libgit2_error.h"
#include "builder/git/libgit2_runtime.h"
#include "builder/util/path_text.h"
#include "builder/util/unique_fd.h"

namespace ignite::git {
namespace {

constexpr std::size_t kSubmodulesNamed = 5;

struct WriteState {
  git_repository* repo;
  const IntakeLimits& limits;
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;
  std::vector<std::string> submodules;
};

bool is_dot_git(std::string_view name) {
  if (name.size() != 4) return false;
  std::string l(name);
  for (char& c : l) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return l == ".git";
}

Status write_all(int fd, const void* data, std::size_t size, const std::string& path) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno_status("writing " + path, errno);
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return ok_status();
}

Result<BlobPtr> load_blob(WriteState& s, const git_tree_entry* entry, const std::string& path) {
  git_blob* raw = nullptr;
  const int rc = git_blob_lookup(&raw, s.repo, git_tree_entry_id(entry));
  if (rc < 0) return libgit2_status(rc, "git: reading " + path);
  BlobPtr blob(raw);
  const auto size = static_cast<std::uint64_t>(git_blob_rawsize(blob.get()));
  if (size > s.limits.max_file_bytes) {
    return resource_exhausted("git: " + path + " is " + std::to_string(size) +
                              " bytes, over the limit of " +
                              std::to_string(s.limits.max_file_bytes) + " per file");
  }
  s.bytes += size;
  if (s.bytes > s.limits.max_total_bytes) {
    return resource_exhausted("git: the tree is over the limit of " +
                              std::to_string(s.limits.max_total_bytes) + " bytes in all");
  }
  return blob;
}

Status write_dir(WriteState& s, const git_tree* tree, const std::string& tree_path,
                 const std::filesystem::path& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0) return errno_status("creating " + dir.string(), errno);
  const std::size_t count = git_tree_entrycount(tree);
  for (std::size_t i = 0; i < count; ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
    const std::string name = git_tree_entry_name(entry);
    const std::string path = join_path(tree_path, name);
    if (name.empty() || name == "." || name == ".." || is_dot_git(name) ||
        name.find('/') != std::string::npos) {
      return invalid_argument("git: the tree holds an entry named '" + path +
                              "', which git itself never writes");
    }
    if (++s.entries > s.limits.max_entries) {
      return resource_exhausted("git: the tree has more than " +
                                std::to_string(s.limits.max_entries) + " entries");
    }
    const std::filesystem::path target = dir / name;
    switch (git_tree_entry_filemode(entry)) {
      case GIT_FILEMODE_TREE: {
        git_tree* sub = nullptr;
        const int rc = git_tree_lookup(&sub, s.repo, git_tree_entry_id(entry));
        if (rc < 0) return libgit2_status(rc, "git: reading " + path);
        const TreePtr owned(sub);
        IGNITE_RETURN_IF_ERROR(write_dir(s, sub, path, target));
        break;
      }
      case GIT_FILEMODE_BLOB:
      case GIT_FILEMODE_BLOB_EXECUTABLE: {
        IGNITE_ASSIGN_OR_RETURN(BlobPtr blob, load_blob(s, entry, path));
        const int mode = git_tree_entry_filemode(entry) == GIT_FILEMODE_BLOB ? 0644 : 0755;
        UniqueFd fd(
            ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
        if (fd.get() < 0) return errno_status("creating " + target.string(), errno);
        IGNITE_RETURN_IF_ERROR(write_all(fd.get(), git_blob_rawcontent(blob.get()),
                                         static_cast<std::size_t>(git_blob_rawsize(blob.get())),
                                         target.string()));
        break;
      }
      case GIT_FILEMODE_LINK: {
        IGNITE_ASSIGN_OR_RETURN(BlobPtr blob, load_blob(s, entry, path));
        const std::string link(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                               static_cast<std::size_t>(git_blob_rawsize(blob.get())));
        if (link.empty() || link.find('\0') != std::string::npos) {
          return invalid_argument("git: symlink '" + path + "' has an empty or NUL-holding target");
        }
        // Where it points is the directory intake's to judge, as for any draft.
        if (::symlink(link.c_str(), target.c_str()) != 0) {
          return errno_status("creating symlink " + target.string(), errno);
        }
        break;
      }
      case GIT_FILEMODE_COMMIT:
        // A gitlink: the files are in another repository that this build does not fetch.
        s.submodules.push_back(path);
        break;
      default:
        return invalid_argument("git: '" + path + "' has a mode git does not write (" +
                                std::to_string(git_tree_entry_filemode(entry)) + ")");
    }
  }
  return ok_status();
}

}  // namespace

Status write_git_tree(git_repository* repo, const git_tree* tree, std::string_view tree_path,
                      const std::filesystem::path& dir, const IntakeLimits& limits) {
  WriteState state{repo, limits, 0, 0, {}};
  IGNITE_RETURN_IF_ERROR(write_dir(state, tree, std::string(tree_path), dir));
  if (state.submodules.empty()) return ok_status();
  std::string named;
  for (std::size_t i = 0; i < state.submodules.size() && i < kSubmodulesNamed; ++i) {
    named += (i ? ", " : "") + std::string("'") + state.submodules[i] + "'";
  }
  if (state.submodules.size() > kSubmodulesNamed) named += ", …";
  return invalid_argument(
      "git: submodule" + std::string(state.submodules.size() > 1 ? "s " : " ") + named +
      ": submodules are not fetched; commit the files themselves (vendor them) into the "
      "repository, or build a subdir without submodules");
}

}  // namespace ignite::git
