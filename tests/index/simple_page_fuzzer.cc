// fuzz_simple_page: index pages (JSON and HTML) and core metadata are untrusted input;
// reading them never crashes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "builder/index/core_metadata.h"
#include "builder/index/simple_page.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const auto page = *ignite::index::Url::parse("https://idx.example/simple/demo/");
  (void)ignite::index::parse_simple_json(text, page);
  (void)ignite::index::parse_simple_html(text, page);
  (void)ignite::index::parse_core_metadata(text, "fuzz");
  (void)ignite::index::redact_url(text);
  (void)ignite::index::resolve_url(page, text);
  return 0;
}
