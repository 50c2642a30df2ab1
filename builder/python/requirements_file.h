// pip's requirements-file format (requirements.txt), read as pip 26 reads it and then
// checked against what the builder installs. Two steps:
//
// 1. read_requirements_file(): pip's parse. Decoding (requirements_file_decode.h), line
//    joining, comments and ${NAME} expansion (requirements_file_lines.h), options
//    (requirements_file_options.h), what each requirement is (requirement_line.h), and
//    -r / -c includes, resolved against the including file's directory inside the
//    source, with cycles and more than kMaxIncludeDepth levels refused. Only syntax is an
//    error here: "name==1.0", "-e ./pkg" and "git+https://..." all read.
//
// 2. accept_requirements(): what the builder installs. It builds images from wheels
//    only, never running package code, so it refuses, naming the file, the line and why:
//    editable installs (-e), VCS URLs (git+..., hg+..., svn+..., bzr+...), local paths and
//    file: URLs, URLs of source archives (anything but a .whl over http or https),
//    --no-binary, and indexes or --find-links that are not http(s) URLs. Constraints must
//    be plain names with specifiers (pip's own rules). Any --hash (or --require-hashes)
//    turns on hash-checking mode: then every requirement needs a hash and an exact pin.
//
// Secrets: ${NAME} values and URL credentials never appear in an error or a warning.
// Messages show each line as written, before expansion, with "user:pass@" in URLs
// replaced by "****@"; where a parse error quotes expanded text, each value expanded on
// the line is put back as ${NAME} (so the caret under it may be off).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "builder/python/requirement.h"
#include "builder/python/requirement_line.h"
#include "builder/python/requirements_file_lines.h"
#include "builder/python/requirements_file_options.h"
#include "builder/python/requirements_file_source.h"
#include "builder/util/status.h"

namespace ignite::python {

inline constexpr int kMaxIncludeDepth = 16;

// A requirement line (or a -e line) of one of the files.
struct RequirementEntry {
  std::string file;             // the file's path inside the source
  int line_number = 0;          // the first physical line
  std::string text;             // the requirement as pip reads it, after ${NAME} expansion
  std::string shown;            // as written, credentials redacted: what messages show
  bool constraint = false;      // from a -c file
  RequirementLineParse parsed;  // form kEditable for -e, with nothing else filled in
  std::map<std::string, std::vector<std::string>> hashes;  // --hash: algorithm -> digests
  std::vector<std::pair<std::string, std::string>> config_settings;
  std::vector<std::string> global_options;

  // "line 3 of requirements.txt", as pip words it.
  std::string where() const;
};

// A line of options only (--index-url, --pre, ...), in reading order.
struct OptionLine {
  std::string file;
  int line_number = 0;
  std::string shown;
  LineOptions options;
  std::string where() const;
};

struct RequirementsFile {
  std::vector<RequirementEntry> entries;  // requirement and constraint lines, includes inlined
  std::vector<OptionLine> option_lines;
  // Things pip would only log: options it ignores where they were written.
  std::vector<std::string> warnings;

  // The option lines merged as pip's finder sees them: the last --index-url wins, lists
  // are appended in order, flags are set by any line. Per-requirement fields stay empty.
  LineOptions options() const;
  // Any --hash on a requirement line, or --require-hashes.
  bool hash_mode() const;
};

// Reads `path` (relative to the source's root) and the files it includes.
// INVALID_ARGUMENT for syntax errors and bad includes, NOT_FOUND for a missing file; the
// message names the file and the line.
Result<RequirementsFile> read_requirements_file(const RequirementsFileSource& source,
                                                std::string_view path,
                                                const RequirementsVariables& variables);

// A requirement the builder will resolve and install. The values are the expanded ones
// (URLs may carry credentials needed to fetch): pass any of them through
// redact_url_credentials() before printing, and prefer `where` in messages.
struct AcceptedRequirement {
  Requirement requirement;  // with the line's marker; "name @ https://.../x.whl" for URLs
  std::string where;        // "line 3 of requirements.txt"
  std::map<std::string, std::vector<std::string>> hashes;
};

struct AcceptedRequirements {
  std::vector<AcceptedRequirement> requirements;
  std::vector<AcceptedRequirement> constraints;
  std::optional<std::string> index_url;  // nullopt: the builder's default index
  std::vector<std::string> extra_index_urls;
  bool no_index = false;
  std::vector<std::string> find_links;
  std::vector<std::string> trusted_hosts;
  bool pre = false;                           // --pre, or --all-releases :all:
  std::vector<std::string> prerelease_names;  // --all-releases NAMES (canonical)
  std::vector<std::string> final_only_names;  // --only-final NAMES (canonical, or ":all:")
  bool hash_mode = false;
  bool prefer_binary = false;
  std::vector<std::string> warnings;
};

// The checks of step 2 above. INVALID_ARGUMENT naming the line, what it is and why it is
// refused; the first refusal wins.
Result<AcceptedRequirements> accept_requirements(const RequirementsFile& file);

// read_requirements_file() then accept_requirements().
Result<AcceptedRequirements> load_requirements(const RequirementsFileSource& source,
                                               std::string_view path,
                                               const RequirementsVariables& variables);

// "scheme://user:pass@host/..." -> "scheme://****@host/..." for every URL in the text.
std::string redact_url_credentials(std::string_view text);

}  // namespace ignite::python
