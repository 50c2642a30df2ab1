#include "builder/registry/image_reference.h"
#include "builder/util/ascii.h"

namespace ignite::registry {
namespace {

bool is_lower_alnum(char c) { return is_ascii_lower(c) || is_ascii_digit(c); }
bool is_alnum(char c) { return is_ascii_alnum(c); }

// component ::= [a-z0-9]+ (([._]|__|-+) [a-z0-9]+)*
bool valid_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
  for (std::size_t i = 0; i < c.size();) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < c.size() && !is_lower_alnum(c[j])) ++j;
    const std::string_view sep = c.substr(i, j - i);
    const bool ok = sep == "." || sep == "_" || sep == "__" ||
                    sep.find_first_not_of('-') == std::string_view::npos;
    if (!ok) return false;
    i = j;
  }
  return true;
}

bool valid_port(std::string_view port) {
  if (port.empty() || port.size() > 5) return false;
  long value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return value >= 1 && value <= 65535;
}

bool valid_dns_or_ipv4(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::size_t start = 0;
  while (start <= host.size()) {
    std::size_t dot = host.find('.', start);
    if (dot == std::string_view::npos) dot = host.size();
    const std::string_view label = host.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || !is_alnum(label.front()) || !is_alnum(label.back())) {
      return false;
    }
    for (char c : label) {
      if (!is_alnum(c) && c != '-') return false;
    }
    start = dot + 1;
  }
  return true;
}

}  // namespace

std::string_view registry_hostname(std::string_view registry) {
  if (!registry.empty() && registry.front() == '[') {
    const std::size_t close = registry.find(']');
    return close == std::string_view::npos ? registry : registry.substr(0, close + 1);
  }
  return registry.substr(0, registry.find(':'));
}

Status validate_registry_host(std::string_view registry) {
  const std::string_view host = registry_hostname(registry);
  std::string_view rest = registry.substr(host.size());
  bool ok = false;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    ok = host.substr(1, host.size() - 2).find_first_not_of("0123456789abcdefABCDEF:.") ==
         std::string_view::npos;
  } else {
    ok = valid_dns_or_ipv4(host);
  }
  if (ok && !rest.empty()) ok = rest.front() == ':' && valid_port(rest.substr(1));
  if (!ok) {
    return invalid_argument("registry \"" + std::string(registry) +
                            "\" is not HOST[:PORT] (e.g. registry.example.com, 127.0.0.1:5000)");
  }
  return ok_status();
}

Status validate_repository(std::string_view repository) {
  auto bad = [&](std::string_view why) {
    return invalid_argument("repository name \"" + std::string(repository) + "\" " +
                            std::string(why));
  };
  if (repository.empty()) return bad("is empty");
  if (repository.size() > 255) return bad("is longer than 255 bytes");
  std::size_t start = 0;
  while (start <= repository.size()) {
    std::size_t slash = repository.find('/', start);
    if (slash == std::string_view::npos) slash = repository.size();
    if (!valid_component(repository.substr(start, slash - start))) {
      return bad("is not lowercase letters and digits separated by '/', '.', '_', '__' or dashes");
    }
    start = slash + 1;
  }
  return ok_status();
}

Status validate_tag(std::string_view tag) {
  bool ok = !tag.empty() && tag.size() <= 128 && tag.front() != '.' && tag.front() != '-';
  for (char c : tag) ok = ok && (is_alnum(c) || c == '_' || c == '.' || c == '-');
  if (!ok) {
    return invalid_argument("tag \"" + std::string(tag) +
                            "\" is not [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  }
  return ok_status();
}

bool is_loopback_registry(std::string_view registry) {
  const std::string_view host = registry_hostname(registry);
  if (host == "localhost" || host == "[::1]") return true;
  if (host.substr(0, 4) != "127.") return false;
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

Result<ImageReference> ImageReference::parse(std::string_view text) {
  const std::string original(text);
  auto bad = [&](const Status& why) {
    return Status(why.code(), "image reference \"" + original + "\": " + why.message());
  };
  if (text.substr(0, 9) == "docker://") text.remove_prefix(9);
  ImageReference ref;
  if (const std::size_t at = text.find('@'); at != std::string_view::npos) {
    auto digest = Digest::parse(text.substr(at + 1));
    if (!digest.ok()) return bad(digest.status());
    ref.digest = *digest;
    text = text.substr(0, at);
  }
  const std::size_t last_slash = text.rfind('/');
  const std::size_t colon = text.rfind(':');
  if (colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    ref.tag = std::string(text.substr(colon + 1));
    text = text.substr(0, colon);
    if (Status s = validate_tag(ref.tag); !s.ok()) return bad(s);
  }
  const std::size_t slash = text.find('/');
  const std::string_view first = text.substr(0, slash);
  if (slash != std::string_view::npos && (first.find_first_of(".:") != std::string_view::npos ||
                                          first == "localhost" || first.front() == '[')) {
    ref.registry = std::string(first);
    ref.repository = std::string(text.substr(slash + 1));
  } else {
    ref.registry = std::string(kDockerHub);
    ref.repository =
        slash == std::string_view::npos ? "library/" + std::string(text) : std::string(text);
  }
  if (Status s = validate_registry_host(ref.registry); !s.ok()) return bad(s);
  if (Status s = validate_repository(ref.repository); !s.ok()) return bad(s);
  if (ref.tag.empty() && !ref.digest) ref.tag = "latest";
  return ref;
}

std::string ImageReference::reference() const { return digest ? digest->to_string() : tag; }

std::string ImageReference::to_string() const {
  std::string out = registry + "/" + repository;
  if (!tag.empty()) out += ":" + tag;
  if (digest) out += "@" + digest->to_string();
  return out;
}

}  // namespace ignite::registry
