// Small images built with builder/oci for the registry tests, a fake clock, and a log sink.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "builder/oci/descriptor.h"
#include "builder/oci/oci_layout.h"
#include "builder/net/clock.h"
#include "builder/registry/registry_client.h"
#include "tests/testing/temp_dir.h"

namespace ignite::registry::testing {

// An OCI layout in a temporary directory, removed with it.
struct TempLayout {
  TempLayout();
  ignite::testing::TempDir dir;
  oci::OciLayout layout;
};

struct TestImage {
  oci::Descriptor manifest;
  oci::Descriptor config;
  oci::Descriptor deps_layer;  // `deps_bytes` of incompressible data: chunked uploads
  oci::Descriptor app_layer;   // handler.py holding `app_text`
};

// Builds on scratch: a deps layer, then the app layer; no ref is set.
Result<TestImage> build_test_image(oci::OciLayout& layout, std::string_view app_text,
                                   std::size_t deps_bytes = 64 * 1024, std::uint64_t deps_seed = 1);

// Time that moves only when told to (or when slept through): backoff and token expiry without
// waiting. Records every sleep.
class FakeClock final : public Clock {
 public:
  TimePoint now() override { return now_; }
  void sleep_for(std::chrono::milliseconds d) override {
    sleeps.push_back(d);
    now_ += d;
  }
  void advance(std::chrono::milliseconds d) { now_ += d; }
  std::vector<std::chrono::milliseconds> sleeps;

 private:
  TimePoint now_ = TimePoint(std::chrono::hours(1000));
};

// Collects a client's log lines (tests check that no secret appears in them).
struct LogLines {
  std::vector<std::string> lines;
  std::function<void(std::string_view)> sink() {
    return [this](std::string_view l) { lines.emplace_back(l); };
  }
  std::string joined() const;
};

// Options for a test client: fast backoff on a fake clock, small tag pages, a log.
ClientOptions fast_options(std::shared_ptr<FakeClock> clock, LogLines* log);

}  // namespace ignite::registry::testing
