// An independent check of a Resolution, for tests: it reads the source again and checks
// every requirement from scratch, sharing no code with the resolver beyond ignite_python.
#pragma once

#include <string>
#include <vector>

#include "builder/resolve/package_source.h"
#include "builder/resolve/resolution.h"
#include "builder/resolve/resolve_request.h"

namespace ignite::resolve::testing {

// Every problem found, one line each; empty when the resolution is valid: each requested
// requirement (marker true for the target) and each dependency of each pin (markers
// evaluated with `extra` set for the pin's extras) is met by a pin with the extras asked
// for; constraints hold; no pin is yanked unless pinned with ==, none excludes the target
// Python, every pin has a reason, and there is one pin per project.
std::vector<std::string> check_resolution(PackageSource& source, const ResolveRequest& request,
                                          const Resolution& resolution);

}  // namespace ignite::resolve::testing
