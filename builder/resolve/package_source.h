// The interface the resolver pulls packages from: for a project name, the versions that
// can be installed on the target; for one of them, its dependencies (Requires-Dist).
//
// Implementations: InMemoryIndex (in_memory_index.h; the resolver vectors' JSON indexes
// and hand-written test indexes), a find-links wheel directory and a PEP 503/691 HTTP
// index (builder/resolve/ sources written beside this one).
//
// Contract for implementations:
// - candidates() returns at most one Candidate per version: the source has already chosen
//   the best wheel for the target (platform tags, Python version) and left out versions
//   with no installable wheel. Order does not matter; the resolver sorts.
// - A project the source does not know is an empty vector, not an error; errors are for
//   failures (UNAVAILABLE for a network error worth retrying, DATA_LOSS for a corrupt
//   index page or wheel, ...), with messages that name the project and the source.
// - dependencies() returns every Requires-Dist entry as written, markers included
//   (`extra == "x"` ones too): the resolver evaluates markers for the target. DATA_LOSS
//   (or INVALID_ARGUMENT) means this candidate's metadata is unusable (a corrupt wheel, a
//   Requires-Dist that does not parse): the resolver skips the candidate, says so in its
//   warnings, and goes on with other versions. Any other error stops the resolution.
// - Calls come from one thread; the resolver asks once per name and once per candidate,
//   so a source need not cache.
// - No field ever holds credentials (URLs are redacted or never carried them).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/python/requirement.h"
#include "builder/python/specifier.h"
#include "builder/python/version.h"
#include "builder/util/status.h"

namespace ignite::resolve {

// One installable wheel of one version of a project.
struct Candidate {
  std::string name;  // canonical (PEP 503) project name
  python::Version version;
  std::string filename;  // wheel file name; "" for an in-memory index
  std::string url;       // where to fetch it; "" for an in-memory index
  std::string sha256;    // lowercase hex digest of the file, "" when unknown
  std::optional<python::SpecifierSet> requires_python;  // Requires-Python, when declared
  bool yanked = false;                                  // PEP 592: chosen only when pinned with ==
  std::string yanked_reason;                            // may be empty even when yanked

  // "name version", e.g. "flask 3.1.3": how messages and chains show a candidate.
  std::string display() const { return name + " " + version.to_string(); }
};

class PackageSource {
 public:
  virtual ~PackageSource() = default;

  // Every installable version of the project (at most one Candidate per version).
  virtual Result<std::vector<Candidate>> candidates(std::string_view canonical_name) = 0;

  // The candidate's Requires-Dist entries, markers included, in metadata order.
  virtual Result<std::vector<python::Requirement>> dependencies(const Candidate& candidate) = 0;

  // Files of the project the source holds but cannot install on the target, each with why
  // ("flask-3.0.tar.gz: an sdist, and nothing is built from source here"), so that "not
  // found" can say what was there. Empty by default.
  virtual std::vector<std::string> unusable_files(std::string_view /*canonical_name*/) { return {}; }

  // What the source is, for messages: "index https://pypi.org/simple/",
  // "find-links /wheels", "in-memory index chalice". Never holds credentials.
  virtual std::string describe() const = 0;
};

}  // namespace ignite::resolve
