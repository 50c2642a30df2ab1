// What the containerd tests share: their prerequisites, a private store holding the Python base,
// builds of examples/greet through the real binary, and the OCI layout's manifests.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/pipeline/pipeline_testing.h"

namespace ignite::containerd::testing {

// "" when this test can run: root, containerd, ctr, runc, and the shared Python base store
// (pipeline_testing.h); else why not.
std::string missing_prerequisite();

// Skips the test naming what is missing; under CI (where all of it is there) fails it instead.
#define IGNITE_REQUIRE_CONTAINERD()                                                 \
  do {                                                                              \
    const std::string why_ = ::ignite::containerd::testing::missing_prerequisite(); \
    if (!why_.empty()) {                                                            \
      if (std::getenv("CI")) FAIL() << "CI must run this test: " << why_;           \
      GTEST_SKIP() << why_;                                                         \
    }                                                                               \
  } while (false)

// How long one `ignite-builder import` (or build --containerd) may take: tens of MB to a local
// containerd take a second or two; a bound so a hung import fails its test in minutes, not at
// run_command's 600 s. Not an assertion on speed.
inline constexpr int kImportTimeoutSeconds = 180;

// `ignite-builder ARGS` (ARGS shell-quoted) under kImportTimeoutSeconds.
ignite::testing::CommandResult run_builder_bounded(const std::string& args);

// A copy (cp -a) of the shared Python base store at `dir`, this test's own.
void copy_base_store(const std::string& dir);

// `ignite-builder build SOURCE --org acme-corp --app APP --store STORE -o json --quiet EXTRA`;
// fails the test (EXPECT) unless it exits 0; returns its JSON ({} on failure).
nlohmann::json build(const std::string& source, const std::string& app, const std::string& store,
                     const std::string& extra = "");

// A copy of examples/greet at `dir`, greeting with `greeting` ("Hello" in the example).
void write_greet(const std::string& dir, const std::string& greeting);

// The blobs of the manifest `digest` ("sha256:...") in the store's OCI layout (STORE/oci):
// config, layers, and the manifest itself, as digests, and their sizes.
struct ImageBlobs {
  std::vector<std::string> digests;  // config, layers in order, manifest
  std::vector<std::int64_t> sizes;
};
ImageBlobs image_blobs(const std::string& store, const std::string& digest);

// The path of blob `digest` in the store's layout.
std::string blob_path(const std::string& store, const std::string& digest);

}  // namespace ignite::containerd::testing
