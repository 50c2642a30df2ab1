#include "builder/python/requirement_line.h"

#include <array>
#include <cstdio>

#include "builder/python/ascii_text.h"
#include "builder/python/dist_filename.h"

namespace ignite::python {
namespace {

constexpr std::array<std::string_view, 22> kVcsSchemes = {
    "bzr+http", "bzr+https", "bzr+ssh",   "bzr+sftp", "bzr+ftp",        "bzr+lp",
    "bzr+file", "git+http",  "git+https", "git+ssh",  "git+git",        "git+file",
    "hg+file",  "hg+http",   "hg+https",  "hg+ssh",   "hg+static-http", "svn+ssh",
    "svn+http", "svn+https", "svn+svn",   "svn+file"};

bool looks_like_path(std::string_view name) {
  return name.find('/') != std::string_view::npos || name.starts_with('.');
}

// pip's splitext: posixpath.splitext, with ".tar" kept in front of the last extension.
std::string_view extension(std::string_view path) {
  std::size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::size_t first = base.find_first_not_of('.');
  std::size_t dot = base.rfind('.');
  if (first == std::string_view::npos || dot == std::string_view::npos || dot < first) return {};
  std::string_view stem = base.substr(0, dot);
  if (stem.size() >= 4 && ascii_lower(stem.substr(stem.size() - 4)) == ".tar") {
    return base.substr(dot - 4);
  }
  return base.substr(dot);
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_digit_value(s[i + 1]) >= 0 &&
        hex_digit_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit_value(s[i + 1]) * 16 + hex_digit_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// pip's _strip_extras: "name[a,b]" -> ("name", "[a,b]") when the text ends in a bracket
// group that holds no ']' (regex ^(.+)(\[[^\]]+\])$).
std::pair<std::string_view, std::string_view> strip_extras(std::string_view name) {
  std::size_t n = name.size();
  if (n < 4 || name.back() != ']') return {name, {}};
  // The group's content, name[p+1, n-1), must be non-empty and hold no ']'.
  for (std::size_t p = n - 2; p >= 1; --p) {
    if (name[p] == ']') break;
    if (name[p] == '[' && p < n - 2) return {name.substr(0, p), name.substr(p)};
  }
  return {name, {}};
}

// "name==version" of a wheel file name.
Result<Requirement> wheel_requirement(std::string_view filename) {
  IGNITE_ASSIGN_OR_RETURN(WheelFilename wheel, WheelFilename::parse(filename));
  return Requirement::parse(wheel.name + "==" + wheel.version.to_string());
}

// pip's egg fragment: "[#&]egg=([^&]*)".
std::optional<std::string_view> egg_fragment(std::string_view url) {
  for (std::size_t at = url.find("egg="); at != std::string_view::npos;
       at = url.find("egg=", at + 1)) {
    if (at == 0 || (url[at - 1] != '#' && url[at - 1] != '&')) continue;
    std::string_view rest = url.substr(at + 4);
    return rest.substr(0, rest.find('&'));
  }
  return std::nullopt;
}

std::string with_source(std::string message, std::string_view line_source) {
  if (!line_source.empty()) message += " (from " + std::string(line_source) + ")";
  return message;
}

// pip's _parse_req_string: the PEP 508 parse with pip's message and hints.
Result<Requirement> parse_named(std::string_view text, std::string_view line_source) {
  Result<Requirement> r = Requirement::parse_unprefixed(text);
  if (!r.ok()) {
    std::string message = with_source(
        "Invalid requirement: " + python_repr(text) + ": " + r.status().message(), line_source);
    if (text.find('/') != std::string_view::npos) {
      message += "\nHint: It looks like a path.";
    } else if (text.find('=') != std::string_view::npos) {
      bool has_operator = false;
      for (std::string_view op : {"~=", "==", "!=", "<=", ">=", "<", ">", "==="}) {
        has_operator = has_operator || text.find(op) != std::string_view::npos;
      }
      if (!has_operator) message += "\nHint: = is not a valid operator. Did you mean == ?";
    }
    return invalid_argument(message);
  }
  for (const Specifier& spec : r->specifier().specifiers()) {
    std::string clause = spec.to_string();
    if (clause.ends_with(']')) {
      return invalid_argument(with_source("Extras after version '" + clause + "'.", line_source));
    }
  }
  return r;
}

}  // namespace

std::string url_scheme(std::string_view url) {
  std::size_t colon = url.find(':');
  if (colon == std::string_view::npos) return "";
  return ascii_lower(url.substr(0, colon));
}

bool is_vcs_scheme(std::string_view scheme) {
  for (std::string_view s : kVcsSchemes) {
    if (s == scheme) return true;
  }
  return false;
}

bool is_pip_url(std::string_view text) {
  if (text.find(':') == std::string_view::npos) return false;
  std::string scheme = url_scheme(text);
  return scheme == "http" || scheme == "https" || scheme == "file" || scheme == "ftp" ||
         is_vcs_scheme(scheme);
}

std::string url_filename(std::string_view url) {
  std::size_t colon = url.find(':');
  std::string_view rest = colon == std::string_view::npos ? url : url.substr(colon + 1);
  rest = rest.substr(0, rest.find('#'));
  rest = rest.substr(0, rest.find('?'));
  std::string_view host;
  if (rest.starts_with("//")) {
    std::size_t slash = rest.find('/', 2);
    host = rest.substr(2, slash == std::string_view::npos ? std::string_view::npos : slash - 2);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  std::size_t slash = rest.rfind('/');
  std::string_view name = slash == std::string_view::npos ? rest : rest.substr(slash + 1);
  return name.empty() ? std::string(host) : percent_decode(name);
}

bool is_archive_filename(std::string_view name) {
  std::string ext = ascii_lower(extension(name));
  for (std::string_view e : {".whl", ".zip", ".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz",
                             ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma"}) {
    if (ext == e) return true;
  }
  return false;
}

std::string python_repr(std::string_view text) {
  bool has_single = text.find('\'') != std::string_view::npos;
  bool has_double = text.find('"') != std::string_view::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (ch == quote || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += quote;
  return out;
}

Result<RequirementLineParse> parse_requirement_line(std::string_view text,
                                                    std::string_view line_source) {
  RequirementLineParse out;
  std::string_view separator = is_pip_url(text) ? "; " : ";";
  std::string_view name = text;
  if (std::size_t at = text.find(separator); at != std::string_view::npos) {
    name = text.substr(0, at);
    std::string_view markers = trim_python_whitespace(text.substr(at + separator.size()));
    if (!markers.empty()) {
      Result<Marker> marker = Marker::parse(markers);
      if (!marker.ok()) {
        return invalid_argument(with_source(
            "Invalid requirement: " + python_repr(text) + ": " + marker.status().message(),
            line_source));
      }
      out.marker = std::move(marker).value();
    }
  }
  name = trim_python_whitespace(name);

  auto named_by_file = [&](std::string_view link) -> Status {
    std::string filename = url_filename(link);
    if (filename.ends_with(".whl")) {
      Result<Requirement> r = wheel_requirement(filename);
      if (!r.ok()) return invalid_argument(with_source(r.status().message(), line_source));
      out.requirement = std::move(r).value();
    } else if (std::optional<std::string_view> egg = egg_fragment(link); egg && !egg->empty()) {
      IGNITE_ASSIGN_OR_RETURN(out.requirement, parse_named(*egg, line_source));
    }
    return ok_status();
  };

  auto [path, path_extras] = strip_extras(name);
  std::size_t at_sign = name.find('@');
  bool reads_as_url_requirement =
      at_sign != std::string_view::npos && !looks_like_path(name.substr(0, at_sign));
  if (is_pip_url(name)) {
    out.form = RequirementForm::kUrl;
    out.link = std::string(name);
    IGNITE_RETURN_IF_ERROR(named_by_file(name));
  } else if (!reads_as_url_requirement && (is_archive_filename(path) || looks_like_path(name))) {
    out.form = RequirementForm::kPath;
    out.link = std::string(path);
    if (is_archive_filename(path)) IGNITE_RETURN_IF_ERROR(named_by_file(path));
  } else {
    out.form = RequirementForm::kNamed;
    IGNITE_ASSIGN_OR_RETURN(out.requirement, parse_named(name, line_source));
  }

  if (!path_extras.empty() && out.form != RequirementForm::kUrl) {
    // pip's convert_extras: the bracket group read as extras of a placeholder name.
    Result<Requirement> holder = Requirement::parse("placeholder" + ascii_lower(path_extras));
    if (!holder.ok()) {
      return invalid_argument(with_source(
          "Invalid extras " + python_repr(path_extras) + ": " + holder.status().message(),
          line_source));
    }
    out.extras = holder->extras();
  } else if (out.requirement) {
    out.extras = out.requirement->extras();
  }
  return out;
}

}  // namespace ignite::python
