#include "builder/net/url.h"

#include <cctype>
#include <vector>

#include "builder/net/url_redaction.h"
#include "builder/util/ascii.h"

namespace ignite::net {
namespace {

// Length of "scheme:" at the start of text, or 0 when there is no scheme.
std::size_t scheme_length(std::string_view text) {
  if (text.empty() || !is_ascii_alpha(text[0])) return 0;
  for (std::size_t i = 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ':') return i;
    if (!is_ascii_alnum(c) && c != '+' && c != '-' && c != '.') return 0;
  }
  return 0;
}

// Splits "?query#fragment" off the end of a path-ish part.
void split_query_fragment(std::string_view rest, Url& url) {
  if (auto hash = rest.find('#'); hash != std::string_view::npos) {
    url.fragment = std::string(rest.substr(hash + 1));
    url.has_fragment = true;
    rest = rest.substr(0, hash);
  }
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    url.query = std::string(rest.substr(q + 1));
    url.has_query = true;
    rest = rest.substr(0, q);
  }
  url.path = std::string(rest);
}

Status parse_authority(std::string_view authority, Url& url, std::string_view shown) {
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    url.has_userinfo = true;
    if (auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      url.user = percent_decode(userinfo.substr(0, colon));
      url.password = percent_decode(userinfo.substr(colon + 1));
    } else {
      url.user = percent_decode(userinfo);
    }
  }
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return invalid_argument("invalid URL '" + std::string(shown) + "': unclosed '[' in host");
    }
    host = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        return invalid_argument("invalid URL '" + std::string(shown) + "': text after ']' in host");
      }
      port = after.substr(1);
    }
  } else if (auto colon = authority.find(':'); colon != std::string_view::npos) {
    // The first ':' ends the host: only an IP literal (in brackets) holds one.
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  for (char c : port) {
    if (!is_ascii_digit(c)) {
      return invalid_argument("invalid URL '" + std::string(shown) + "': port is not a number");
    }
  }
  if (host.empty()) return invalid_argument("invalid URL '" + std::string(shown) + "': no host");
  url.host = ascii_lower(host);
  url.port = std::string(port);
  return ok_status();
}

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> out;
  const bool absolute = path.starts_with('/');
  std::string_view rest = absolute ? path.substr(1) : path;
  bool trailing_slash = false;
  while (true) {
    auto slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    const bool last = slash == std::string_view::npos;
    if (seg == ".") {
      trailing_slash = last;
    } else if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailing_slash = last;
    } else {
      out.push_back(seg);
      trailing_slash = false;
    }
    if (last) break;
    rest = rest.substr(slash + 1);
  }
  std::string result = absolute ? "/" : "";
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i > 0) result += '/';
    result += out[i];
  }
  if (trailing_slash && !result.ends_with('/')) result += '/';
  return result;
}

// application/x-www-form-urlencoded, as libcurl's CURLU_URLENCODE writes a query part:
// unreserved characters (RFC 3986 section 2.3) as they are, space as '+', the rest %XX.
std::string form_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (is_ascii_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
    }
  }
  return out;
}

}  // namespace

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

Result<Url> Url::parse(std::string_view text) {
  const std::string shown = redact_url(text);
  const std::size_t scheme_len = scheme_length(text);
  if (scheme_len == 0 || text.substr(scheme_len, 3) != "://") {
    return invalid_argument("invalid URL '" + shown + "': expected scheme://host/...");
  }
  Url url;
  url.scheme = ascii_lower(text.substr(0, scheme_len));
  std::string_view rest = text.substr(scheme_len + 3);
  const std::size_t end = rest.find_first_of("/?#");
  IGNITE_RETURN_IF_ERROR(parse_authority(rest.substr(0, end), url, shown));
  split_query_fragment(end == std::string_view::npos ? std::string_view() : rest.substr(end), url);
  if (url.path.empty()) url.path = "/";
  return url;
}

std::string Url::to_string() const {
  std::string out = origin() + path;
  if (has_query) out += "?" + query;
  return out;
}

std::string Url::to_string_with_fragment() const {
  return has_fragment ? to_string() + "#" + fragment : to_string();
}

Result<Url> resolve_url(const Url& base, std::string_view reference) {
  if (scheme_length(reference) > 0) {
    IGNITE_ASSIGN_OR_RETURN(Url url, Url::parse(reference));
    url.user.clear();
    url.password.clear();
    url.has_userinfo = false;
    return url;
  }
  Url out;
  out.scheme = base.scheme;
  if (reference.starts_with("//")) {
    return resolve_url(base, base.scheme + ":" + std::string(reference));
  }
  Url ref;
  split_query_fragment(reference, ref);
  out.host = base.host;
  out.port = base.port;
  if (ref.path.empty()) {
    out.path = base.path;
    if (ref.has_query) {
      out.query = ref.query;
      out.has_query = true;
    } else {
      out.query = base.query;
      out.has_query = base.has_query;
    }
  } else {
    if (ref.path.starts_with('/')) {
      out.path = remove_dot_segments(ref.path);
    } else {
      const std::size_t slash = base.path.rfind('/');
      const std::string dir = slash == std::string::npos ? "/" : base.path.substr(0, slash + 1);
      out.path = remove_dot_segments(dir + ref.path);
    }
    out.query = ref.query;
    out.has_query = ref.has_query;
  }
  out.fragment = ref.fragment;
  out.has_fragment = ref.has_fragment;
  return out;
}

Result<std::string> resolve_url(std::string_view base, std::string_view reference) {
  IGNITE_ASSIGN_OR_RETURN(Url parsed, Url::parse(base));
  IGNITE_ASSIGN_OR_RETURN(Url resolved, resolve_url(parsed, reference));
  return resolved.to_string_with_fragment();
}

Result<std::string> append_query(std::string_view url, std::string_view name,
                                 std::string_view value) {
  IGNITE_ASSIGN_OR_RETURN(Url parsed, Url::parse(url));
  if (parsed.has_query && !parsed.query.empty()) parsed.query += '&';
  parsed.query += form_encode(name) + "=" + form_encode(value);
  parsed.has_query = true;
  return parsed.to_string_with_fragment();
}

Result<std::string> url_origin(std::string_view url) {
  IGNITE_ASSIGN_OR_RETURN(Url parsed, Url::parse(url));
  return parsed.origin();
}

std::string url_filename(const Url& url) {
  const std::size_t slash = url.path.rfind('/');
  return percent_decode(slash == std::string::npos ? url.path : url.path.substr(slash + 1));
}

}  // namespace ignite::net
