// ignite-builder lock SOURCE [--find-links DIR] [--index-url URL] [--extra-index-url URL]
//                            [--no-index] [--refresh] [--cache-dir DIR] [-o text|json|toml]
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <ostream>

#include "builder/index/lock_requirements.h"
#include "builder/python/marker.h"
#include "builder/python/platform_tags.h"
#include "builder/python/requirements_file_source.h"
#include "builder/source/intake.h"
#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/package_sources.h"
#include "src/cli/report.h"

namespace ignite::cli {

namespace {

const std::string kLockUsage = std::string(
    "usage: ignite-builder lock SOURCE [--find-links DIR] [--index-url URL]\n"
    "                           [--extra-index-url URL] [--no-index] [--refresh]\n"
    "                           [--cache-dir DIR] [-o text|json|toml]\n"
    "  SOURCE  a directory or archive holding requirements.txt (or pylock.toml, used as it is)\n")
    + kPackageSourcesUsage + std::string(
    "  --cache-dir DIR           downloads and locks (default: $IGNITE_CACHE_DIR, else\n"
    "                            $IGNITE_STORE/cache, else /var/cache/ignite-builder as root,\n"
    "                            else ${XDG_CACHE_HOME:-~/.cache}/ignite-builder)\n"
    "  -o, --output FORMAT       text (default), json, or toml (the pylock.toml itself)\n");

enum class LockFormat { kText, kJson, kToml };

// Files of a directory are read in place; an archive (or a lone file) goes through intake.
Result<std::unique_ptr<python::RequirementsFileSource>> open_source(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return std::unique_ptr<python::RequirementsFileSource>(
        std::make_unique<python::DirectoryFileSource>(path));
  }
  IntakeOptions options;
  options.require_handler = RequireHandler::kNo;
  IGNITE_ASSIGN_OR_RETURN(SourceTree tree, read_source_path(path, options));
  auto files = std::make_unique<python::InMemoryFileSource>();
  for (const auto& [p, entry] : tree.entries()) {
    if (entry.kind != EntryKind::kSymlink) files->add(p, entry.data);
  }
  return std::unique_ptr<python::RequirementsFileSource>(std::move(files));
}

struct Row {
  const index::LockedPackage* package;
  const index::LockedWheel* wheel;
};

// The packages to install on the target: a source pylock.toml may hold packages for other
// environments (marker false) and several wheels per package.
std::vector<Row> rows(const index::Lock& lock, const python::Environment& env,
                      const python::TagPriority& tags) {
  std::vector<Row> out;
  for (const auto& p : lock.packages) {
    if (p.marker) {
      auto m = python::Marker::parse(*p.marker);
      if (!m.ok()) continue;
      auto applies = m->evaluate(env, python::MarkerContext::kLockFile);
      if (!applies.ok() || !*applies) continue;
    }
    auto wheel = index::select_locked_wheel(p, tags);
    out.push_back(Row{&p, wheel.ok() ? *wheel : &p.wheels.front()});
  }
  return out;
}

std::string why(const index::LockedPackage& p) {
  std::string out;
  for (const auto& w : p.required_by) out += (out.empty() ? "" : "; ") + w;
  return out.empty() ? "listed in pylock.toml" : out;
}

void print_text(const index::LockOutcome& o, const std::vector<Row>& rows, std::ostream& out) {
  for (const Row& r : rows) {
    out << r.package->name << "==" << r.package->version << "  " << r.wheel->name
        << "  sha256:" << r.wheel->sha256 << "  (" << why(*r.package) << ")\n";
  }
  out << "lockHash " << o.lock_hash << " (" << lock_origin_name(o.origin) << ", " << rows.size()
      << (rows.size() == 1 ? " package" : " packages") << ", from " << o.sources << ")\n";
}

void print_json(const index::LockOutcome& o, const std::vector<Row>& rows, std::ostream& out) {
  nlohmann::json j;
  j["lockHash"] = o.lock_hash;
  j["origin"] = std::string(lock_origin_name(o.origin));
  j["cacheKey"] = o.key;
  j["sources"] = o.sources;
  auto& packages = j["packages"] = nlohmann::json::array();
  for (const Row& r : rows) {
    nlohmann::json p = {{"name", r.package->name},
                        {"version", r.package->version},
                        {"wheel", r.wheel->name},
                        {"sha256", r.wheel->sha256},
                        {"requiredBy", r.package->required_by}};
    if (!r.wheel->url.empty()) p["url"] = r.wheel->url;
    if (!r.wheel->path.empty()) p["path"] = r.wheel->path;
    if (!r.package->index.empty()) p["index"] = r.package->index;
    packages.push_back(std::move(p));
  }
  j["warnings"] = o.warnings;
  j["pylock"] = o.bytes;
  out << j.dump(2) << "\n";
}

}  // namespace

int run_lock(const std::vector<std::string>& argv, Io io) {
  RepeatedSources repeated;
  auto rest = take_repeated_sources(argv, repeated);
  if (!rest.ok()) return usage_error(io, rest.status().message(), kLockUsage);
  auto parsed = parse_command(*rest,
                              {kIndexUrlFlag,
                               kNoIndexFlag,
                               kRefreshFlag,
                               {"--cache-dir", "", true},
                               {"--output", "-o", true}},
                              1, "lock takes exactly one SOURCE", kLockUsage, io);
  if (const int* exit = std::get_if<int>(&parsed)) return *exit;
  const Args& args = std::get<Args>(parsed);
  const std::string format_name = args.value_or("--output", "text");
  LockFormat format;
  if (format_name == "text") {
    format = LockFormat::kText;
  } else if (format_name == "json") {
    format = LockFormat::kJson;
  } else if (format_name == "toml") {
    format = LockFormat::kToml;
  } else {
    return usage_error(io, "unknown output format \"" + format_name + "\" (use text, json or toml)",
                       kLockUsage);
  }

  index::LockRequest request;
  request.sources = source_options(args, repeated);
  request.refresh = args.has("--refresh") ? index::Refresh::kYes : index::Refresh::kNo;
  request.cache_dir = args.value_or("--cache-dir", "");

  auto source = open_source(args.positional()[0]);
  if (!source.ok()) return report_error(io, source.status());
  auto outcome = index::lock_requirements(**source, request);
  if (!outcome.ok()) return report_error(io, outcome.status());
  for (const std::string& w : outcome->warnings) io.err << "ignite-builder: warning: " << w << "\n";

  if (format == LockFormat::kToml) {
    io.out << outcome->bytes;
    return kExitOk;
  }
  const python::TagPriority tags(python::target_tags(request.target));
  const std::vector<Row> table = rows(outcome->lock, request.environment, tags);
  if (format == LockFormat::kJson) {
    print_json(*outcome, table, io.out);
  } else {
    print_text(*outcome, table, io.out);
  }
  return kExitOk;
}

}  // namespace ignite::cli
