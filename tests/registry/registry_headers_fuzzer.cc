// Fuzzes the parsers of what a registry sends in headers: WWW-Authenticate, Link,
// Retry-After, and the image references and names the client takes from users.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "builder/registry/image_reference.h"
#include "builder/registry/link_header.h"
#include "builder/net/retry_policy.h"
#include "builder/registry/www_authenticate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto challenges = ignite::registry::parse_www_authenticate(text);
  if (challenges.ok() && challenges->empty()) __builtin_trap();  // ok means at least one
  (void)ignite::registry::next_page_link(text);
  (void)ignite::net::parse_retry_after(text);
  auto ref = ignite::registry::ImageReference::parse(text);
  if (ref.ok()) {
    // What parse accepts, to_string writes back to something parse accepts the same way.
    auto again = ignite::registry::ImageReference::parse(ref->to_string());
    if (!again.ok() || again->to_string() != ref->to_string()) __builtin_trap();
  }
  (void)ignite::registry::is_loopback_registry(text);
  return 0;
}
