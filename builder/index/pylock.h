// The lock: a documented subset of PEP 751's pylock.toml (docs/lock.md), written by one
// canonical writer, so the same resolution always gives the same bytes, and
// lockHash = "sha256:" + hex(sha256(those bytes)).
//
// What ignite-builder writes (keys in this order, nothing else):
//
//   lock-version = "1.0"
//   environments = ["<marker of the target>"]
//   requires-python = "==3.11.*"
//   created-by = "ignite-builder"
//
//   [[packages]]                       one per package, sorted by name
//   name = "flask"                     canonical (PEP 503)
//   version = "3.1.3"                  normalized (PEP 440)
//   requires-python = ">=3.9"          when the wheel declares one
//   index = "https://host/simple/"     when it came from an index (no credentials)
//   wheels = [{ name = "<file>.whl", url = "<url>", hashes = { sha256 = "<hex>" } }]
//                                      url, or path for a find-links wheel
//
//   [packages.tool.ignite]
//   required-by = ["requested: flask==3.1.3", "werkzeug 3.1.8: markupsafe>=2.1.1"]
//
// The reader accepts any pylock.toml with lock-version 1.x whose packages are all wheels
// with a sha256 (the builder installs wheels only): pip's [[packages.wheels]] tables and
// uv's inline tables alike, extra keys ignored.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/python/environment.h"
#include "builder/python/wheel_selection.h"
#include "builder/util/digest.h"
#include "builder/util/status.h"

namespace ignite::index {

inline constexpr std::string_view kLockVersion = "1.0";
inline constexpr std::string_view kLockCreatedBy = "ignite-builder";

struct LockedWheel {
  std::string name;    // the wheel's file name
  std::string url;     // where to download it, no credentials; empty when `path` is set
  std::string path;    // a local file (find-links); empty when `url` is set
  std::string sha256;  // lowercase hex
};

struct LockedPackage {
  std::string name;                   // canonical
  std::string version;                // normalized
  std::optional<std::string> marker;  // read from foreign locks only
  std::optional<std::string> requires_python;
  std::string index;                     // "" when not from an index
  std::vector<LockedWheel> wheels;       // ignite-builder writes exactly one
  std::vector<std::string> required_by;  // [packages.tool.ignite] required-by, sorted
};

struct Lock {
  std::vector<std::string> environments;
  std::optional<std::string> requires_python;
  std::string created_by = std::string(kLockCreatedBy);
  std::vector<LockedPackage> packages;  // sorted by name when written
};

// The canonical bytes. Packages are sorted by name, then version; required-by entries
// are sorted and deduplicated; every string is a TOML basic string with the same escapes.
std::string write_pylock(const Lock& lock);

// Reads and checks a pylock.toml; `origin` names it in errors ("pylock.toml in the source").
// INVALID_ARGUMENT "<origin>: <where>: <reason>" for TOML errors, an unsupported
// lock-version, a package without name or version, a wheel without a sha256 or without
// url/path, a wheel file name that does not match its package, or a package that is not
// a wheel (sdist, vcs, directory, archive): the builder installs wheels only.
Result<Lock> read_pylock(std::string_view text, std::string_view origin);

// "sha256:<hex of the bytes>".
inline Digest lock_hash(std::string_view bytes) { return Digest::of(bytes); }

// The environments marker of a target environment: python_full_version, implementation
// name, sys_platform and platform_machine joined with "and".
std::string environment_marker(const python::Environment& env);

// The wheel of a package to install on the target: the best tag fit among its wheels.
// FAILED_PRECONDITION naming the package and its wheels when none fits.
Result<const LockedWheel*> select_locked_wheel(const LockedPackage& package,
                                               const python::TagPriority& tags);

}  // namespace ignite::index
