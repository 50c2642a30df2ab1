// The option half of a requirements-file line, read as pip reads it: shlex.split (POSIX
// rules: quotes, backslash escapes, no comments), then Python's optparse over the options
// pip accepts in a requirements file, with optparse's unique-prefix abbreviations of long
// options ("--index" is --index-url), "--opt=value" and "--opt value", "-ivalue" and
// "-i value". Arguments that are not options are ignored, as optparse leaves them.
//
// Accepted (pip's SUPPORTED_OPTIONS and SUPPORTED_OPTIONS_REQ):
//   -i/--index-url/--pypi-url URL   --extra-index-url URL    --no-index
//   -c/--constraint FILE            -r/--requirement FILE    -e/--editable TARGET
//   -f/--find-links URL             --no-binary NAMES        --only-binary NAMES
//   --prefer-binary                 --require-hashes         --pre
//   --trusted-host HOST             --use-feature NAME       --all-releases NAMES
//   --only-final NAMES              --hash ALGO:HEX          --config-settings KEY=VALUE
//   --global-option OPTION
// --hash takes sha256, sha384 or sha512, as pip's does.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "builder/util/status.h"

namespace ignite::python {

// Python's shlex.split(text): INVALID_ARGUMENT "No closing quotation" or
// "No escaped character" as shlex raises them.
Result<std::vector<std::string>> shlex_split(std::string_view text);

struct LineOptions {
  std::optional<std::string> index_url;
  std::vector<std::string> extra_index_urls;
  bool no_index = false;
  std::vector<std::string> constraints;   // -c
  std::vector<std::string> requirements;  // -r
  std::vector<std::string> editables;     // -e
  std::vector<std::string> find_links;
  std::vector<std::string> no_binary;  // as given: ":all:", ":none:" or comma-separated names
  std::vector<std::string> only_binary;
  bool prefer_binary = false;
  bool require_hashes = false;
  bool pre = false;
  std::vector<std::string> trusted_hosts;
  std::vector<std::string> features;      // --use-feature
  std::vector<std::string> all_releases;  // names (comma-separated values split), or ":all:"
  std::vector<std::string> only_final;
  // Options that apply to the requirement on the same line.
  std::map<std::string, std::vector<std::string>> hashes;  // algorithm -> digests, in order
  std::vector<std::pair<std::string, std::string>> config_settings;
  std::vector<std::string> global_options;
  // The long name of every option given, in order (e.g. "--pre").
  std::vector<std::string> given;
};

// optparse over the shlex-split options. INVALID_ARGUMENT with optparse's wording, e.g.
// "no such option: --bogus", "--index-url option requires 1 argument",
// "ambiguous option: --pr (--pre, --prefer-binary?)".
Result<LineOptions> parse_line_options(const std::vector<std::string>& args);

}  // namespace ignite::python
