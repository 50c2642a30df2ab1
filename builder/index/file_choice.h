// Which wheel of each version a source offers: pip's choice among the files of one
// version (CandidateEvaluator), for a target interpreter rather than the running one.
//
// A file is left out when its tags do not fit the target. Among the rest of one version:
// a file whose Requires-Python admits the target's Python beats one that does not (an
// invalid Requires-Python is ignored, as pip ignores it), a file that is not yanked beats
// a yanked one, then the best tag rank wins, then the higher build tag, then the earlier
// file (the earlier source). A version whose every file excludes the target's Python is
// still offered, with its Requires-Python, so that the resolver can say why it is not
// taken.
#pragma once

#include <cstddef>
#include <vector>

#include "builder/python/dist_filename.h"
#include "builder/python/environment.h"
#include "builder/python/platform_tags.h"
#include "builder/python/version.h"
#include "builder/python/wheel_selection.h"
#include "builder/resolve/package_source.h"

namespace ignite::index {

// What the sources choose files for: the image's interpreter.
struct TargetSelection {
  python::TagPriority tags;
  python::Version python_version;  // python_full_version, e.g. 3.11.2

  // The default target: target_tags(PythonTarget{}) and the default environment's
  // python_full_version.
  static TargetSelection image_default();
  static TargetSelection make(const python::PythonTarget& target, const python::Environment& env);
};

struct FileOption {
  python::WheelFilename wheel;
  resolve::Candidate candidate;  // requires_python and yanked filled in
};

// Whether the file can be installed on the target (tags and Requires-Python).
bool fits_target(const FileOption& option, const TargetSelection& target);

// The index into `options` of the chosen file of each version, in order of first
// appearance. Versions with no fitting file are absent.
// Why a file of a project was not a candidate, as unusable_files() says it.
inline constexpr std::string_view kSdistSkipped =
    "an sdist; nothing is built from source here, only wheels are installed";
inline constexpr std::string_view kTagsSkipped =
    "a wheel for another interpreter or platform (none of its tags fits CPython 3.11 on "
    "manylinux x86_64)";

std::vector<std::size_t> choose_files(const std::vector<FileOption>& options,
                                      const TargetSelection& target);

}  // namespace ignite::index
