// accept_requirements(): what the builder installs out of what pip would read. The builder
// assembles images from wheels and never runs package code, so everything that needs a
// source build (or a file of the build machine) is refused here, with the line and why.
#include <utility>

#include "builder/python/ascii_text.h"
#include "builder/python/names.h"
#include "builder/python/requirements_file.h"

namespace ignite::python {
namespace {

constexpr std::string_view kWheelsOnly =
    "the builder installs wheels from package indexes and http(s) URLs only, and never builds "
    "or runs package code at build time";

// "<where>: <what> refused: <why>".
Status refuse(const std::string& where, std::string_view what, std::string_view why) {
  return invalid_argument(where + ": " + std::string(what) + " refused: " + std::string(why));
}

bool is_http_url(std::string_view url) {
  std::string scheme = url_scheme(url);
  return (scheme == "http" || scheme == "https") && url.substr(scheme.size()).starts_with("://");
}

// Why a URL (bare, or after "name @") cannot be installed, or "" when it can: only a
// wheel over http(s).
std::string url_refusal(std::string_view url) {
  std::string scheme = url_scheme(url);
  if (is_vcs_scheme(scheme)) {
    return "it installs from a version control repository, which means building the package "
           "from source and running its build code; require a released wheel by name and "
           "version instead";
  }
  if (scheme == "file") {
    return "it is a local path, a file of the build machine; " + std::string(kWheelsOnly);
  }
  if (!is_http_url(url)) {
    return "its URL scheme " + quote_text(scheme) + " is not supported; " +
           std::string(kWheelsOnly);
  }
  if (!url_filename(url).ends_with(".whl")) {
    return "it is a source archive, not a wheel (building it would run package code); point "
           "the URL at a .whl file or require the package by name";
  }
  return "";
}

// A hash pip could match: the digest as hexdigest() prints it.
std::string hash_refusal(const std::string& algorithm, const std::string& digest) {
  std::size_t length = algorithm == "sha256" ? 64 : algorithm == "sha384" ? 96 : 128;
  bool lower_hex = digest.size() == length;
  for (char c : digest) lower_hex = lower_hex && is_lower_hex_digit(c);
  if (lower_hex) return "";
  // The digest itself is not quoted: it may have come from a ${NAME}.
  return "a --hash=" + algorithm + ": value is not a " + algorithm + " digest (" +
         std::to_string(length) + " lowercase hex digits), so no file could match it";
}

// pip's is_pinned: one clause, == without a wildcard, or ===.
bool is_pinned(const Requirement& r) {
  const auto& specs = r.specifier().specifiers();
  if (specs.size() != 1) return false;
  return specs[0].op() == SpecifierOp::kArbitrary ||
         (specs[0].op() == SpecifierOp::kEqual && !specs[0].is_wildcard());
}

Result<AcceptedRequirement> accept_entry(const RequirementEntry& entry, bool hash_mode) {
  const std::string where = entry.where();
  const std::string shown = quote_text(entry.shown);
  const RequirementLineParse& p = entry.parsed;
  if (p.form == RequirementForm::kEditable) {
    return refuse(where, shown,
                  "it is an editable install, which builds the project from a source checkout "
                  "and runs its build code; require a released wheel by name and version "
                  "instead");
  }
  if (entry.constraint) {
    // pip's own rules for constraints (its resolver refuses the rest).
    const std::string what = "constraint " + shown;
    if (!p.requirement)
      return refuse(where, what, "Unnamed requirements are not allowed as constraints");
    if (p.form != RequirementForm::kNamed || p.requirement->url()) {
      return refuse(where, what, "Links are not allowed as constraints");
    }
    if (!p.extras.empty()) return refuse(where, what, "Constraints cannot have extras");
  }
  if (p.form == RequirementForm::kPath) {
    return refuse(where, shown,
                  "it is a local path, a file or directory of the build machine; " +
                      std::string(kWheelsOnly));
  }
  std::optional<std::string> url = p.form == RequirementForm::kUrl ? p.link : std::nullopt;
  if (p.form == RequirementForm::kNamed && p.requirement->url()) url = p.requirement->url();
  if (url) {
    if (std::string why = url_refusal(*url); !why.empty()) return refuse(where, shown, why);
  }
  if (!p.requirement) {
    return refuse(where, shown, "nothing in the URL names the project it installs");
  }
  for (const auto& [algorithm, digests] : entry.hashes) {
    for (const std::string& digest : digests) {
      if (std::string why = hash_refusal(algorithm, digest); !why.empty()) {
        return refuse(where, shown, why);
      }
    }
  }
  if (hash_mode && !entry.constraint) {
    if (entry.hashes.empty()) {
      return refuse(where, shown,
                    "it has no --hash, and once any requirement has one (or --require-hashes is "
                    "given) pip's hash-checking mode needs a hash on every requirement");
    }
    if (!url && !is_pinned(*p.requirement)) {
      return refuse(where, shown,
                    "hash-checking mode needs every requirement pinned to one version with == "
                    "(or ===)");
    }
  }
  // The requirement as the resolver takes it: the line's marker and, for a bare wheel URL,
  // "name==version @ url" folded into "name @ url".
  Requirement r = *p.requirement;
  if (p.form == RequirementForm::kUrl) {
    std::string text = r.name() + " @ " + *url;
    Result<Requirement> with_url = Requirement::parse(text);
    if (!with_url.ok()) {
      return refuse(where, shown, "its URL cannot be written as a PEP 508 URL requirement");
    }
    r = std::move(with_url).value();
  }
  if (p.marker) r = r.with_marker(p.marker);
  return AcceptedRequirement{std::move(r), where, entry.hashes};
}

// The line is shown as written: an option's value may hold expanded ${NAME} values.
Status check_url_option(const OptionLine& line, std::string_view option, std::string_view url) {
  if (is_http_url(url)) return ok_status();
  return refuse(line.where(), quote_text(line.shown),
                "its " + std::string(option) +
                    " is not an http(s) URL, and only http and https "
                    "indexes and find-links pages are used; " +
                    std::string(kWheelsOnly));
}

}  // namespace

Result<AcceptedRequirements> accept_requirements(const RequirementsFile& file) {
  AcceptedRequirements out;
  out.warnings = file.warnings;
  for (const OptionLine& line : file.option_lines) {
    const LineOptions& o = line.options;
    for (const std::string& value : o.no_binary) {
      if (value != ":none:") {
        return refuse(line.where(), quote_text(line.shown),
                      "--no-binary asks for source builds, which run package code; " +
                          std::string(kWheelsOnly));
      }
    }
    if (o.index_url) IGNITE_RETURN_IF_ERROR(check_url_option(line, "--index-url", *o.index_url));
    for (const std::string& url : o.extra_index_urls) {
      IGNITE_RETURN_IF_ERROR(check_url_option(line, "--extra-index-url", url));
    }
    for (const std::string& url : o.find_links) {
      IGNITE_RETURN_IF_ERROR(check_url_option(line, "--find-links", url));
    }
    if (!o.features.empty()) {
      out.warnings.push_back(line.where() + ": --use-feature is ignored");
    }
  }
  LineOptions merged = file.options();
  out.index_url = merged.index_url;
  out.extra_index_urls = merged.extra_index_urls;
  out.no_index = merged.no_index;
  out.find_links = merged.find_links;
  out.trusted_hosts = merged.trusted_hosts;
  out.prefer_binary = merged.prefer_binary;
  out.pre = merged.pre;
  for (const std::string& name : merged.all_releases) {
    if (name == ":all:") {
      out.pre = true;
    } else {
      out.prerelease_names.push_back(canonicalize_name(name));
    }
  }
  for (const std::string& name : merged.only_final) {
    out.final_only_names.push_back(name == ":all:" ? name : canonicalize_name(name));
  }
  out.hash_mode = file.hash_mode();

  for (const RequirementEntry& entry : file.entries) {
    IGNITE_ASSIGN_OR_RETURN(AcceptedRequirement accepted, accept_entry(entry, out.hash_mode));
    if (!entry.config_settings.empty() || !entry.global_options.empty()) {
      out.warnings.push_back(entry.where() +
                             ": --config-settings and --global-option are ignored (they only "
                             "reach source builds)");
    }
    (entry.constraint ? out.constraints : out.requirements).push_back(std::move(accepted));
  }
  return out;
}

Result<AcceptedRequirements> load_requirements(const RequirementsFileSource& source,
                                               std::string_view path,
                                               const RequirementsVariables& variables) {
  IGNITE_ASSIGN_OR_RETURN(RequirementsFile file, read_requirements_file(source, path, variables));
  return accept_requirements(file);
}

}  // namespace ignite::python
