#include "builder/index/simple_page.h"

#include <cctype>
#include <string>

#include "builder/index/simple_page_internal.h"

namespace ignite::index {

namespace internal {

std::string lower_hex(std::string_view hex) {
  std::string out(hex);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_hex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::optional<IndexFile> make_file(const Url& page_url, std::string_view href) {
  auto url = resolve_url(page_url, href);
  if (!url.ok()) return std::nullopt;
  IndexFile file;
  // "#sha256=HEX" (PEP 503): the hash of the file. Other fragments are ignored.
  if (url->has_fragment) {
    const std::string& f = url->fragment;
    if (auto eq = f.find('='); eq != std::string::npos) {
      std::string algo = lower_hex(f.substr(0, eq));
      std::string hex = f.substr(eq + 1);
      if ((algo == "sha256" || algo == "sha384" || algo == "sha512" || algo == "md5" ||
           algo == "sha1" || algo == "sha224") &&
          is_hex(hex)) {
        file.hashes[algo] = lower_hex(hex);
      }
    }
  }
  url->fragment.clear();
  url->has_fragment = false;
  file.filename = url_filename(*url);
  if (file.filename.empty()) return std::nullopt;
  file.url = std::move(*url);
  return file;
}

}  // namespace internal

Result<std::vector<IndexFile>> parse_simple_page(std::string_view body,
                                                 std::string_view content_type,
                                                 const Url& page_url) {
  if (content_type == kSimpleJsonType) return parse_simple_json(body, page_url);
  if (content_type == kSimpleHtmlType || content_type == "text/html" || content_type.empty()) {
    return parse_simple_html(body, page_url);
  }
  return failed_precondition("reading index page " + page_url.to_string() +
                             ": unexpected content type '" + std::string(content_type) +
                             "' (expected " + std::string(kSimpleJsonType) + " or text/html)");
}

}  // namespace ignite::index
