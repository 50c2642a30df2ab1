// Where the requirements-file reader gets its files: a narrow interface, so the reader
// never touches the filesystem itself. Paths are relative to the source's root,
// '/'-separated and already normalized by the reader (no empty, "." or ".." component).
//
// DirectoryFileSource reads from a directory (the draft's source tree) and follows no
// symbolic link, so `-r` can never reach a file outside the tree; InMemoryFileSource holds
// files given to it (tests, and callers that already have the bytes).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::python {

// The largest requirements file read, in bytes (a real one is a few kilobytes).
inline constexpr std::size_t kMaxRequirementsFileBytes = 4 << 20;

class RequirementsFileSource {
 public:
  virtual ~RequirementsFileSource() = default;
  // The bytes of the file. NOT_FOUND when there is no such file; INVALID_ARGUMENT when
  // the path crosses a symbolic link or names no regular file; RESOURCE_EXHAUSTED past
  // kMaxRequirementsFileBytes.
  virtual Result<std::string> read(const std::string& path) const = 0;
};

class DirectoryFileSource final : public RequirementsFileSource {
 public:
  explicit DirectoryFileSource(std::string root) : root_(std::move(root)) {}
  Result<std::string> read(const std::string& path) const override;

 private:
  std::string root_;
};

class InMemoryFileSource final : public RequirementsFileSource {
 public:
  void add(std::string path, std::string bytes) { files_[std::move(path)] = std::move(bytes); }
  Result<std::string> read(const std::string& path) const override;

 private:
  std::map<std::string, std::string, std::less<>> files_;
};

}  // namespace ignite::python
