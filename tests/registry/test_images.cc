#include "tests/registry/test_images.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "builder/oci/image_builder.h"
#include "builder/source/source_tree.h"

namespace ignite::registry::testing {

namespace {
oci::OciLayout open_layout(const ignite::testing::TempDir& dir) {
  auto l = oci::OciLayout::open(dir / "oci", oci::CreateLayout::kIfMissing);
  if (!l.ok()) {
    ADD_FAILURE() << l.status().to_string();
    std::abort();
  }
  return std::move(l).value();
}
}  // namespace

TempLayout::TempLayout() : layout(open_layout(dir)) {}
namespace {

// Deterministic bytes that gzip cannot shrink (xorshift64).
std::string noise(std::size_t n, std::uint64_t seed) {
  std::string out(n, '\0');
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (std::size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = static_cast<char>(x & 0xff);
  }
  return out;
}

}  // namespace

Result<TestImage> build_test_image(oci::OciLayout& layout, std::string_view app_text,
                                   std::size_t deps_bytes, std::uint64_t deps_seed) {
  const oci::LayerOptions options{oci::Epoch::zero()};
  SourceTree deps;
  IGNITE_RETURN_IF_ERROR(
      deps.add("site-packages/blob.bin", {EntryKind::kFile, noise(deps_bytes, deps_seed)}));
  SourceTree app;
  IGNITE_RETURN_IF_ERROR(app.add("handler.py", {EntryKind::kFile, std::string(app_text)}));
  IGNITE_ASSIGN_OR_RETURN(oci::Layer deps_layer, oci::write_app_layer(layout, deps, options));
  IGNITE_ASSIGN_OR_RETURN(oci::Layer app_layer, oci::write_app_layer(layout, app, options));
  oci::ImageSettings settings = oci::ImageSettings::for_function();
  settings.labels["dev.ignite.test"] = "registry";
  IGNITE_ASSIGN_OR_RETURN(oci::Descriptor manifest,
                          oci::compose_image(layout, oci::BaseImage::scratch(),
                                             {{deps_layer, "deps"}, {app_layer, "app"}}, settings,
                                             oci::Epoch::zero(), "", oci::ExistingRef::kRefuse));
  IGNITE_ASSIGN_OR_RETURN(oci::StoredImage stored, oci::read_image(layout, manifest));
  return TestImage{manifest, stored.manifest.config, deps_layer.blob, app_layer.blob};
}

std::string LogLines::joined() const {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

ClientOptions fast_options(std::shared_ptr<FakeClock> clock, LogLines* log) {
  ClientOptions options;
  options.clock = std::move(clock);
  options.retry.max_attempts = 3;
  options.retry.base_delay = std::chrono::milliseconds(100);
  options.retry.max_delay = std::chrono::milliseconds(5000);
  options.docker_config_path = "/nonexistent/ignite-test/config.json";
  if (log != nullptr) options.log = log->sink();
  return options;
}

}  // namespace ignite::registry::testing
