// The default base image: Debian bookworm (minbase) with the python3 package, made once per
// store with debootstrap and kept in the store's layout under kPythonBaseRef (docs/base-image.md).
#pragma once

#include <string>

#include "builder/oci/image_builder.h"
#include "builder/pipeline/function_store.h"
#include "builder/pipeline/progress.h"

namespace ignite::pipeline {

// The ref of the default base inside a store's layout.
inline constexpr const char* kPythonBaseRef = "ignite/base:python3.11-bookworm";

// The default base's manifest annotation listing its Debian packages, "name=version\n" sorted.
inline constexpr const char* kBasePackagesAnnotation = "dev.ignite.base.packages";

// The Debian mirror debootstrap reads; $IGNITE_DEBIAN_MIRROR overrides it.
inline constexpr const char* kDefaultDebianMirror = "http://deb.debian.org/debian";

enum class RebuildBase { kIfMissing, kAlways };

// Makes the default base when the store lacks it (or always), under a lock so that concurrent
// builds make it once. Needs root and debootstrap; the error says so when either is missing.
Result<oci::Descriptor> ensure_python_base(FunctionStore& store, RebuildBase rebuild,
                                           Progress& progress);

}  // namespace ignite::pipeline
