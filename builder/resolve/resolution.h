// What the resolver answers: one pinned candidate per project, each with the requirements
// that pulled it in, in a deterministic order.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "builder/resolve/package_source.h"

namespace ignite::resolve {

// One requirement on a pinned project and what declared it.
struct Reason {
  std::string requirement;  // as declared, marker dropped: "werkzeug>=3.1", "pandas[test]"
  std::string parent;       // the pin that declared it, "flask 3.1.3"; "" when requested

  // "werkzeug>=3.1 ← flask 3.1.3", or "flask==3.1.3 ← requested".
  std::string to_string() const;
  friend bool operator==(const Reason&, const Reason&) = default;
};

struct Pin {
  Candidate candidate;
  std::vector<std::string> extras;  // extras asked of it (canonical, sorted), often none
  std::vector<Reason> why;          // every requirement on it in the final state
  // The shortest route from a requested requirement, e.g.
  // "markupsafe>=2.0 ← jinja2 3.1.4 ← flask 3.1.3 ← requested flask==3.1.3".
  std::string chain;
};

struct Resolution {
  std::vector<Pin> pins;  // sorted by canonical name
  int rounds = 0;         // rounds used (see kDefaultMaxRounds)
  int backjumps = 0;      // times the resolver went back on a pin
  // Every candidate whose dependencies were tried, in order, as "name version"
  // (resolvelib's "visited"): shows how much backtracking a resolution took.
  std::vector<std::string> tried;
  // Candidates left out because their metadata could not be used, one line each.
  std::vector<std::string> warnings;

  // The pin of a project (canonical name), or nullptr.
  const Pin* find(std::string_view canonical_name) const;
};

}  // namespace ignite::resolve
