#include "builder/git/git_source.h"

#include <algorithm>
#include <array>

#include "builder/net/url.h"
#include "builder/net/url_redaction.h"
#include "builder/util/path_text.h"

namespace ignite::git {
namespace {

bool has_control_or_space(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Status check_url(std::string_view url) {
  if (url.empty()) return invalid_argument("git: url is required");
  const std::string shown = net::redact_url(url);
  if (has_control_or_space(url)) {
    return invalid_argument("git: url '" + shown + "' holds a space or a control character");
  }
  const std::size_t sep = url.find("://");
  const std::size_t helper = url.find("::");
  if (helper != std::string_view::npos && (sep == std::string_view::npos || helper < sep)) {
    // "ext::sh -c ..." runs a command: never from a build request.
    return invalid_argument("git: url '" + shown +
                            "' names a remote helper (transport::address); only file://, "
                            "git://, http:// and https:// URLs are fetched");
  }
  if (sep == std::string_view::npos) {
    if (url.find(':') != std::string_view::npos) {
      return invalid_argument("git: url '" + shown +
                              "' is an ssh (scp-like) address; ssh is not supported (the builder "
                              "holds no SSH keys): use https:// with a token, or git://");
    }
    return invalid_argument("git: url '" + shown +
                            "' is not a URL; a local repository is file:///absolute/path");
  }
  const std::string scheme = lower(url.substr(0, sep));
  if (scheme == "ssh" || scheme == "git+ssh" || scheme == "ssh+git") {
    return invalid_argument("git: url '" + shown +
                            "': ssh is not supported (the builder holds no SSH keys); use "
                            "https:// with a token, or git://");
  }
  if (scheme == "file") {
    if (url.size() <= sep + 3 || url[sep + 3] != '/') {
      return invalid_argument("git: url '" + shown +
                              "': a file URL names an absolute path, file:///path/to/repo");
    }
    return ok_status();
  }
  constexpr std::array<std::string_view, 3> kNetwork = {"git", "http", "https"};
  if (std::find(kNetwork.begin(), kNetwork.end(), scheme) == kNetwork.end()) {
    return invalid_argument("git: url '" + shown + "': unsupported scheme '" + scheme +
                            "'; only file://, git://, http:// and https:// are fetched");
  }
  auto parsed = net::Url::parse(url);
  if (!parsed.ok()) return parsed.status().with_context("git: url");
  if (parsed->host.empty()) return invalid_argument("git: url '" + shown + "' has no host");
  return ok_status();
}

// The rules of git check-ref-format that matter for a name typed by a person; libgit2 applies
// the rest when it reads the ref.
Status check_ref(std::string_view ref) {
  if (ref.empty()) {
    return invalid_argument("git: ref is required (a branch, a tag or a commit id)");
  }
  const std::string why = [&]() -> std::string {
    if (has_control_or_space(ref)) return "a space or a control character";
    if (ref.find_first_of("~^:?*[\\") != std::string_view::npos) return "one of ~^:?*[\\";
    if (ref.find("..") != std::string_view::npos) return "\"..\"";
    if (ref.find("@{") != std::string_view::npos) return "\"@{\"";
    if (ref.find("//") != std::string_view::npos) return "an empty component";
    if (ref.front() == '-') return "a leading '-'";
    if (ref.front() == '/' || ref.back() == '/') return "a leading or trailing '/'";
    if (ref.back() == '.') return "a trailing '.'";
    if (ref.size() >= 5 && ref.substr(ref.size() - 5) == ".lock") return "a trailing \".lock\"";
    return "";
  }();
  if (!why.empty()) return invalid_argument("git: ref '" + std::string(ref) + "' holds " + why);
  return ok_status();
}

Status check_subdir(std::string_view subdir) {
  if (subdir.empty() || subdir == ".") return ok_status();
  const std::string shown(subdir);
  if (subdir.front() == '/') {
    return invalid_argument("git: subdir '" + shown +
                            "' is absolute; it is relative to the "
                            "repository's root");
  }
  if (std::any_of(subdir.begin(), subdir.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
      })) {
    return invalid_argument("git: subdir '" + net::redact_url(subdir) +
                            "' holds a control character");
  }
  std::string_view trimmed = subdir;
  if (trimmed.back() == '/') trimmed.remove_suffix(1);
  for (const std::string& part : split_path(trimmed)) {
    if (part.empty() || part == "." || part == "..") {
      return invalid_argument("git: subdir '" + shown + "' has a '" + part +
                              "' component; name a directory inside the repository");
    }
  }
  return ok_status();
}

}  // namespace

Status validate_git_source(const GitSource& source) {
  IGNITE_RETURN_IF_ERROR(check_url(source.url));
  IGNITE_RETURN_IF_ERROR(check_ref(source.ref));
  return check_subdir(source.subdir);
}

std::string display_url(std::string_view url) {
  if (lower(url.substr(0, 7)) == "file://") return "file://" + net::redact_url(url.substr(7));
  auto parsed = net::Url::parse(url);
  if (!parsed.ok()) return net::url_for_messages(url);
  net::Url shown = *parsed;
  shown.has_query = false;  // a query may carry a token as well
  shown.query.clear();
  return shown.to_string();
}

std::string normalized_subdir(std::string_view subdir) {
  if (subdir == ".") return "";
  if (!subdir.empty() && subdir.back() == '/') subdir.remove_suffix(1);
  return std::string(subdir);
}

bool looks_like_commit_id(std::string_view ref) {
  return ref.size() >= 7 && ref.size() <= 40 && std::all_of(ref.begin(), ref.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

}  // namespace ignite::git
