// Fuzzes ~/.docker/config.json parsing and base64, which read files users edit by hand.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "builder/registry/docker_config.h"
#include "builder/util/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = ignite::registry::DockerConfig::parse(text, "fuzz.json");
  if (config.ok()) {
    // Helpers are never run here: only stored entries are looked up.
    for (const char* host : {"127.0.0.1:5000", "docker.io", "registry.example"}) {
      (void)config->stored_for(host);
      (void)config->helper_for(host);
    }
  }
  const auto decoded = ignite::base64_decode(text);
  if (decoded && ignite::base64_encode(*decoded) != text) __builtin_trap();
  if (ignite::base64_decode(ignite::base64_encode(text)) != std::string(text)) {
    __builtin_trap();
  }
  return 0;
}
