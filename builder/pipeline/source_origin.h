// Where a build's source came from, when that is more than the tree itself: recorded with the
// version (its inputs) and in the image (OCI labels), so that an auditor can fetch the same
// commit again. A plain value the pipeline records as given; the fetch is builder/git/'s.
#pragma once

#include <optional>
#include <string>

namespace ignite::pipeline {

// A git source as fetched (builder/git/git_fetch.h's GitCheckout).
struct GitOrigin {
  std::string url;     // without credentials, query or fragment
  std::string ref;     // as the request gave it
  std::string commit;  // the full commit id the ref resolved to
  std::string subdir;  // "" for the repository's root
};

struct SourceOrigin {
  std::optional<GitOrigin> git;
};

}  // namespace ignite::pipeline
