#include "builder/net/url_redaction.h"

#include "builder/net/url.h"

namespace ignite::net {

std::string redact_url(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t sep = text.find("://", i);
    if (sep == std::string_view::npos) break;
    out.append(text.substr(i, sep + 3 - i));
    std::size_t j = sep + 3;
    const std::size_t end = text.find_first_of("/?# \t\r\n\"'<>", j);
    const std::string_view authority =
        text.substr(j, end == std::string_view::npos ? std::string_view::npos : end - j);
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
      out += "****@";
      j += at + 1;
    }
    i = j;
  }
  out.append(text.substr(i));
  return out;
}

std::string strip_credentials(std::string_view text) {
  auto url = Url::parse(text);
  if (!url.ok()) return redact_url(text);
  return url->to_string();
}

std::string url_for_messages(std::string_view url) {
  return redact_url(url.substr(0, url.find_first_of("?#")));
}

std::string scrub_secrets(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out = redact_url(text);
  for (const std::string& s : secrets) {
    if (s.size() < 3) continue;
    for (std::size_t pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos + 4)) {
      out.replace(pos, s.size(), "****");
    }
  }
  return out;
}

}  // namespace ignite::net
