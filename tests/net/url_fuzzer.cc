// fuzz_url: URLs come from index pages, requirements files and registry headers (Location,
// Link, WWW-Authenticate realms), so parsing, resolving and redacting them never crashes, and
// what parse accepts, to_string writes back to something parse reads the same way.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "builder/net/url.h"
#include "builder/net/url_redaction.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ignite::net;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto url = Url::parse(text); url.ok()) {
    const std::string written = url->to_string_with_fragment();
    auto again = Url::parse(written);
    if (!again.ok() || again->to_string_with_fragment() != written || again->has_userinfo) {
      __builtin_trap();
    }
    (void)append_query(written, "digest", text);
  }
  (void)resolve_url("http://127.0.0.1:5000/v2/x/blobs/uploads/?_state=s", text);
  (void)url_origin(text);
  (void)url_for_messages(text);
  (void)strip_credentials(text);
  return 0;
}
