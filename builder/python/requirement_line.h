// What the argument part of a requirements-file line is, decided as pip's
// install_req_from_line (parse_req_from_line) decides it:
//   - a URL (http, https, file, ftp or a VCS scheme such as git+https): markers follow
//     "; " (semicolon and space, since a URL may hold ';'); the name comes from a wheel
//     file name or an #egg= fragment;
//   - a local path: an archive file name (.whl, .zip, .tar.gz, ...) or anything that
//     looks like a path ('/' in it, or a leading '.'), unless it reads as "name @ url";
//   - otherwise a PEP 508 requirement; markers follow the first ';'.
// The filesystem is never consulted: whether a path exists does not change what the line
// is, and local paths are refused later anyway (requirements_file.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/python/marker.h"
#include "builder/python/requirement.h"
#include "builder/util/status.h"

namespace ignite::python {

enum class RequirementForm {
  kNamed,     // a PEP 508 requirement: name[extras] specifier, or name[extras] @ url
  kUrl,       // a bare URL
  kPath,      // a local path
  kEditable,  // -e TARGET (never read further)
};

struct RequirementLineParse {
  RequirementForm form = RequirementForm::kNamed;
  // Name, extras, specifier (and URL for "name @ url"); for a URL or path, "name==version"
  // of a wheel file name or the #egg= name; absent when nothing names the project. Never
  // holds the marker: pip splits that off first.
  std::optional<Requirement> requirement;
  std::optional<Marker> marker;
  std::optional<std::string> link;  // the URL or path of kUrl / kPath
  // The extras pip installs: those written after a path ("./pkg[a,b]"), lowercased, else
  // the requirement's.
  std::vector<std::string> extras;
};

// INVALID_ARGUMENT with pip's wording, ending " (from <line_source>)" when one is given,
// e.g. "Invalid requirement: 'toto=42': Expected semicolon (after name with no version
// specifier) or end\n    toto=42\n        ^ (from line 3 of requirements.txt)\nHint: = is
// not a valid operator. Did you mean == ?".
Result<RequirementLineParse> parse_requirement_line(std::string_view text,
                                                    std::string_view line_source);

// Python's repr() of a str: single quotes unless the text holds a single quote and no
// double quote; backslash, quote and control characters escaped.
std::string python_repr(std::string_view text);

// pip's is_url: a scheme (text before the first ':', lowercased) that pip fetches:
// http, https, file, ftp, or a VCS scheme.
bool is_pip_url(std::string_view text);
// The lowercased scheme, or "" when there is no ':'.
std::string url_scheme(std::string_view url);
// git+..., hg+..., svn+..., bzr+... (pip's VCS schemes).
bool is_vcs_scheme(std::string_view scheme);
// pip's Link.filename: the last path segment, percent-decoded ("" when the path is empty:
// then pip uses the host).
std::string url_filename(std::string_view url);
// pip's is_archive_file on a name: .whl .zip .tar.gz .tgz .tar .tar.bz2 .tbz .tar.xz
// .txz .tlz .tar.lz .tar.lzma (any case).
bool is_archive_filename(std::string_view name);

}  // namespace ignite::python
