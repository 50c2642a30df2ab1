// Fuzzes parsing of manifests and indexes served by registries (OCI and Docker schema 2).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "builder/registry/manifest_content.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto content = ignite::registry::parse_manifest_content(text, "");
  if (content.ok() && content->is_index) (void)ignite::registry::select_linux_amd64(*content);
  return 0;
}
