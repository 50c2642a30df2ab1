#include "builder/net/http_message.h"

#include "builder/util/ascii.h"

namespace ignite::net {

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::string HttpResponse::content_type() const {
  const std::optional<std::string> value = header("content-type");
  std::string out;
  if (!value) return out;
  for (char c : value->substr(0, value->find(';'))) {
    if (c != ' ' && c != '\t') out += c;
  }
  return ascii_lower(out);
}

}  // namespace ignite::net
