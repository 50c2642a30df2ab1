// Installing one wheel (the binary distribution format, PyPA spec; PEP 427/491) into a target
// directory laid out as `pip install --target DIR` lays it out, without running any code:
//
//   purelib, platlib (.data/purelib, .data/platlib, and the root per Root-Is-Purelib)  -> DIR/
//   .data/scripts/*       -> DIR/bin/  (a "#!python" shebang becomes "#!<interpreter>")
//   .data/headers/*       -> DIR/include/python/<name as the .dist-info spells it>/
//   .data/data/*          -> DIR/
//   console_scripts and gui_scripts of entry_points.txt -> DIR/bin/<name> launchers
//   <dist-info>/INSTALLER ("ignite-builder\n"), <dist-info>/REQUESTED when requested,
//   <dist-info>/RECORD rewritten for the installed paths.
//
// Any path that would land outside DIR (absolute, "..", a symlink in the way) is refused, as
// is anything that is not a regular file or directory. The wheel's RECORD is checked against
// its content per RecordPolicy (docs/wheel-install.md explains the policy).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "builder/util/status.h"

namespace ignite::wheel {

// What to do when a wheel's RECORD does not describe it: a file missing from RECORD, a listed
// file missing from the wheel, or a hash or size that differs. The spec says installers must
// fail; pip never checks; some real wheels are wrong.
enum class RecordPolicy {
  kStrict,  // FAILED_PRECONDITION naming the wheel, the path and what differs (the default)
  kWarn,    // install anyway; each problem becomes a warning
};

// Guards against zip bombs: counted as members are decompressed, not taken from headers.
// Exceeding one is RESOURCE_EXHAUSTED. The defaults leave room for the largest real wheels
// (CUDA libraries ship single shared objects of over a gigabyte).
struct InstallLimits {
  std::uint64_t max_total_bytes = std::uint64_t{4} << 30;   // all members, uncompressed
  std::uint64_t max_member_bytes = std::uint64_t{2} << 30;  // one member, uncompressed
  std::size_t max_members = 200'000;                        // files and directories
};

struct InstallOptions {
  // The interpreter of the image: the shebang of launchers and of "#!python" scripts. An
  // absolute path without whitespace, short enough for a kernel shebang line (127 bytes).
  std::string interpreter = "/usr/bin/python3";
  RecordPolicy record = RecordPolicy::kStrict;
  bool requested = false;  // writes <dist-info>/REQUESTED, as pip does for a named requirement
  InstallLimits limits;
};

struct InstalledWheel {
  std::string name;                   // the distribution's name as the .dist-info spells it
  std::string version;                // as the .dist-info spells it
  std::vector<std::string> files;     // installed paths relative to the target, sorted
  std::vector<std::string> warnings;  // RECORD problems let through by RecordPolicy::kWarn
};

// Installs the wheel file at `wheel_path` (whose bytes the caller has already checked against
// the lock's sha256; `filename` is its real file name, e.g. "flask-3.1.3-py3-none-any.whl")
// into `target_dir`, which must not exist yet or be empty. Errors name the wheel and the
// member: INVALID_ARGUMENT for a malformed wheel (no or several .dist-info, a bad WHEEL file,
// an unsupported Wheel-Version major, an escaping path, a link or special file, two members on
// one installed path, a bad entry_points.txt) or a bad interpreter, FAILED_PRECONDITION for a
// RECORD mismatch under kStrict or a target that is not an empty directory, DATA_LOSS for a
// damaged zip, RESOURCE_EXHAUSTED past a limit, NOT_FOUND when the wheel file is missing.
// On error the target may hold a partial tree: the caller installs into a temporary
// directory and renames it into place on success. Safe to call from several threads at once
// (on different targets).
Result<InstalledWheel> install_wheel(const std::string& wheel_path, std::string_view filename,
                                     const std::string& target_dir, const InstallOptions& options);

}  // namespace ignite::wheel
