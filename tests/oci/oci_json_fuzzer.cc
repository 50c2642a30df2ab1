// Fuzzes the parsers of builder/oci: manifests, image indexes, image configs (also as the
// base of a derived config), and DIR:REF references. Any bytes must give a value or a clean
// error, never a crash, a leak or an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "builder/oci/image_config.h"
#include "builder/oci/layout_reference.h"
#include "builder/oci/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ignite::oci;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto manifest = parse_manifest(bytes);
  if (manifest.ok()) (void)manifest_json(*manifest);
  (void)parse_index_manifests(bytes);
  if (parse_image_config(bytes).ok()) {
    ImageSettings settings = ImageSettings::for_function();
    settings.env = {{"PATH", "/usr/bin"}};
    settings.labels["k"] = "v";
    (void)derive_image_config(bytes, settings, {{ignite::Digest::of(bytes), "fuzz"}},
                              Epoch::zero());
  }
  (void)LayoutReference::parse(bytes.substr(0, 512));
  return 0;
}
