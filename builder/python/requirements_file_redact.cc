// Keeping credentials out of messages: the user-info of a URL ("user:pass@",
// "token@") becomes "****@", as pip's redact_auth_from_url does with the password.
#include "builder/python/requirements_file.h"

namespace ignite::python {
namespace {

bool ends_authority(char c) {
  return c == '/' || c == '?' || c == '#' || c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
         c == '\'' || c == '"' || c == '<' || c == '>';
}

}  // namespace

std::string redact_url_credentials(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t scheme_end = text.find("://", i);
    if (scheme_end == std::string_view::npos) break;
    std::size_t start = scheme_end + 3;
    std::size_t end = start;
    while (end < text.size() && !ends_authority(text[end])) ++end;
    std::string_view authority = text.substr(start, end - start);
    std::size_t at = authority.rfind('@');
    out += text.substr(i, start - i);
    if (at != std::string_view::npos) {
      out += "****";
      out += authority.substr(at);
    } else {
      out += authority;
    }
    i = end;
  }
  out += text.substr(i);
  return out;
}

}  // namespace ignite::python
