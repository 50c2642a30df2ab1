#include "builder/index/lock_requirements.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include "builder/index/content_cache.h"
#include "builder/index/find_links_source.h"
#include "builder/index/http_client.h"
#include "builder/index/index_source.h"
#include "builder/index/lock_cache.h"
#include "builder/index/lock_install.h"
#include "builder/index/multi_source.h"
#include "builder/net/url_redaction.h"
#include "builder/python/names.h"
#include "builder/resolve/resolver.h"

namespace ignite::index {
namespace {

constexpr std::string_view kRequirementsFile = "requirements.txt";
constexpr std::string_view kSourceLockFile = "pylock.toml";

bool is_http(std::string_view s) { return s.starts_with("http://") || s.starts_with("https://"); }

// "requires-python" of the lock: the target's minor version.
std::optional<std::string> target_requires_python(const python::Environment& env) {
  auto v = env.get("python_version");
  if (!v) return std::nullopt;
  return "==" + std::string(*v) + ".*";
}

// A lock taken as it is: the source's pylock.toml, or the request's given lock.
Result<LockOutcome> use_lock(std::string bytes, const LockRequest& request, LockOrigin kind,
                             const std::string& origin) {
  IGNITE_ASSIGN_OR_RETURN(Lock lock, read_pylock(bytes, origin));
  // Every package that applies to the target must have a wheel that fits it.
  const python::TagPriority tags(python::target_tags(request.target));
  auto installable = install_set(lock, request.environment, tags);
  if (!installable.ok()) return installable.status().with_context(origin);
  LockOutcome out;
  out.lock = std::move(lock);
  out.lock_hash = lock_hash(bytes).to_string();
  out.bytes = std::move(bytes);
  out.origin = kind;
  out.sources = origin;
  return out;
}

std::string why_text(const resolve::Reason& r) {
  return r.parent.empty() ? "requested: " + r.requirement : r.parent + ": " + r.requirement;
}

// pip's --require-hashes: every package pinned must carry a listed sha256 that matches.
Status check_hashes(const python::AcceptedRequirements& file, const Lock& lock) {
  for (const LockedPackage& p : lock.packages) {
    std::vector<std::string> allowed;
    bool any_hash = false;
    for (const auto& r : file.requirements) {
      if (r.requirement.canonical_name() != p.name) continue;
      for (const auto& [algo, digests] : r.hashes) {
        any_hash = true;
        if (algo == "sha256") allowed.insert(allowed.end(), digests.begin(), digests.end());
      }
    }
    if (!any_hash) {
      return failed_precondition(
          "checking hashes: hash-checking mode is on (a --hash or "
          "--require-hashes in requirements.txt), but " +
          p.name + " " + p.version +
          " has no --hash line (every package, dependencies "
          "included, must be listed with its hash)");
    }
    if (allowed.empty()) {
      return unimplemented("checking hashes of " + p.name + ": only --hash=sha256:... is checked");
    }
    const std::string& actual = p.wheels.front().sha256;
    if (std::find(allowed.begin(), allowed.end(), actual) == allowed.end()) {
      return failed_precondition(
          "checking hashes: " + p.wheels.front().name + " has sha256 " + actual +
          ", which is not among the hashes requirements.txt lists for " + p.name);
    }
  }
  return ok_status();
}

Result<LockedPackage> locked_package(const resolve::Pin& pin, WheelSource& source) {
  const resolve::Candidate& c = pin.candidate;
  LockedPackage p;
  p.name = c.name;
  p.version = c.version.to_string();
  if (c.requires_python) p.requires_python = c.requires_python->to_string();
  p.index = source.index_of(c);
  LockedWheel w;
  w.name = c.filename;
  if (c.url.starts_with("file://")) {
    w.path = percent_decode(std::string_view(c.url).substr(7));
  } else {
    w.url = strip_credentials(c.url);
  }
  w.sha256 = c.sha256;
  if (w.sha256.empty()) {
    IGNITE_ASSIGN_OR_RETURN(LocalWheel local, source.fetch(c));
    w.sha256 = local.sha256;
  }
  p.wheels.push_back(std::move(w));
  for (const resolve::Reason& r : pin.why) p.required_by.push_back(why_text(r));
  return p;
}

}  // namespace

std::string_view lock_origin_name(LockOrigin origin) {
  switch (origin) {
    case LockOrigin::kResolved:
      return "resolved";
    case LockOrigin::kCached:
      return "cached";
    case LockOrigin::kSourceLock:
      return "source pylock.toml";
    case LockOrigin::kGiven:
      return "given lock";
    case LockOrigin::kNoRequirements:
      return "no requirements";
  }
  return "unknown";
}

SourcePlan plan_sources(const SourceOptions& options, const python::AcceptedRequirements& file) {
  SourcePlan plan;
  plan.index_urls.push_back(options.index_url.value_or(std::string(kDefaultIndexUrl)));
  plan.index_urls.insert(plan.index_urls.end(), options.extra_index_urls.begin(),
                         options.extra_index_urls.end());
  if (file.index_url) plan.index_urls = {*file.index_url};
  plan.index_urls.insert(plan.index_urls.end(), file.extra_index_urls.begin(),
                         file.extra_index_urls.end());
  if (options.no_index || file.no_index) plan.index_urls.clear();
  // The same index twice is asked once.
  std::vector<std::string> unique;
  for (auto& url : plan.index_urls) {
    if (std::find(unique.begin(), unique.end(), url) == unique.end()) unique.push_back(url);
  }
  plan.index_urls = std::move(unique);
  plan.find_links = options.find_links;
  plan.find_links.insert(plan.find_links.end(), file.find_links.begin(), file.find_links.end());
  return plan;
}

Result<LockOutcome> lock_requirements(const python::RequirementsFileSource& source,
                                      const LockRequest& request) {
  auto source_lock = source.read(std::string(kSourceLockFile));
  if (source_lock.status().code() != Code::kNotFound && !source_lock.ok()) {
    return source_lock.status().with_context("reading pylock.toml in the source");
  }
  auto top = source.read(std::string(kRequirementsFile));
  if (top.status().code() != Code::kNotFound && !top.ok()) {
    return top.status().with_context("reading requirements.txt in the source");
  }
  const bool has_requirements = source_lock.ok() || top.ok();
  if (request.given_lock && has_requirements) {
    return use_lock(*request.given_lock, request, LockOrigin::kGiven, "the given lock");
  }
  if (source_lock.ok()) {
    return use_lock(std::move(*source_lock), request, LockOrigin::kSourceLock,
                    "pylock.toml in the source");
  }

  LockOutcome out;
  if (!top.ok()) {  // no requirements at all
    out.lock.environments = {environment_marker(request.environment)};
    out.lock.requires_python = target_requires_python(request.environment);
    out.bytes = write_pylock(out.lock);
    out.lock_hash = lock_hash(out.bytes).to_string();
    out.origin = LockOrigin::kNoRequirements;
    return out;
  }
  RecordingFileSource recording(source);
  IGNITE_ASSIGN_OR_RETURN(
      python::AcceptedRequirements file,
      python::load_requirements(recording, kRequirementsFile, request.variables));
  out.warnings = file.warnings;
  if (!file.prerelease_names.empty() || !file.final_only_names.empty()) {
    out.warnings.push_back(
        "--all-releases/--only-final for single projects are not applied; "
        "use --pre for all projects");
  }

  // Sources, and the credentials that go with them.
  const SourcePlan plan = plan_sources(request.sources, file);
  HttpOptions http_options;
  http_options.netrc_file = request.netrc_file;
  LockKeyInput key_input;
  key_input.files = recording.files();
  std::vector<Url> index_urls;
  for (const std::string& text : plan.index_urls) {
    IGNITE_ASSIGN_OR_RETURN(Url url, Url::parse(text));
    http_options.credentials.add_from(url);
    key_input.index_urls.push_back(url.to_string());
    index_urls.push_back(url);
  }
  std::vector<std::string> find_links;
  for (const std::string& fl : plan.find_links) {
    if (is_http(fl)) {
      IGNITE_ASSIGN_OR_RETURN(Url url, Url::parse(fl));
      http_options.credentials.add_from(url);
      find_links.push_back(url.to_string());
    } else {
      std::error_code ec;
      auto abs = std::filesystem::absolute(fl, ec);
      find_links.push_back(ec ? fl : abs.lexically_normal().string());
    }
  }
  key_input.find_links = find_links;
  out.credentials = http_options.credentials;
  key_input.environment = environment_marker(request.environment);
  key_input.tags = python::target_tags(request.target);
  out.key = lock_key(key_input);

  const ContentCache cache(request.cache_dir.empty() ? default_cache_dir() : request.cache_dir);
  const std::vector<std::string> secrets = http_options.credentials.secrets();

  for (const std::string& url : key_input.index_urls) {
    out.sources += (out.sources.empty() ? "index " : ", index ") + url;
  }
  for (const std::string& fl : find_links) {
    out.sources += (out.sources.empty() ? "find-links " : ", find-links ") + fl;
  }
  if (out.sources.empty()) out.sources = "no package source";

  // The cache first: a hit needs no network and no HTTP client at all.
  if (request.refresh == Refresh::kNo) {
    if (auto cached = find_cached_lock(cache, out.key)) {
      IGNITE_ASSIGN_OR_RETURN(out.lock,
                              read_pylock(*cached, "cached lock " + cache.lock_path(out.key)));
      out.bytes = std::move(*cached);
      out.lock_hash = lock_hash(out.bytes).to_string();
      out.origin = LockOrigin::kCached;
      return out;
    }
  }

  // Sources, in pip's order: indexes first, then find-links.
  const TargetSelection target = TargetSelection::make(request.target, request.environment);
  CurlHttpClient http(std::move(http_options));
  std::vector<std::unique_ptr<WheelSource>> sources;
  for (const Url& url : index_urls) {
    sources.push_back(std::make_unique<IndexSource>(url, http, cache, target));
  }
  for (const std::string& fl : find_links) {
    if (is_http(fl)) {
      sources.push_back(std::make_unique<IndexSource>(*Url::parse(fl), http, cache, target,
                                                      IndexLayout::kFlatPage));
    } else {
      sources.push_back(std::make_unique<FindLinksSource>(fl, target));
    }
  }
  MultiSource all(std::move(sources), target);

  resolve::ResolveRequest rr;
  for (const auto& r : file.requirements) rr.requirements.push_back(r.requirement);
  for (const auto& c : file.constraints) rr.constraints.push_back(c.requirement);
  rr.environment = request.environment;
  if (file.pre) rr.options.prereleases = resolve::Prereleases::kAllow;
  auto resolution = resolve::resolve(all, rr);
  out.http_requests = http.request_count();
  if (!resolution.ok()) {
    const Status& s = resolution.status();
    return Status(s.code(),
                  net::scrub_secrets("requirements.txt against " + out.sources + ": " + s.message(),
                                     secrets));
  }
  for (const std::string& w : resolution->warnings) out.warnings.push_back(w);

  out.lock.environments = {key_input.environment};
  out.lock.requires_python = target_requires_python(request.environment);
  for (const resolve::Pin& pin : resolution->pins) {
    auto p = locked_package(pin, all);
    if (!p.ok()) {
      return Status(p.status().code(), net::scrub_secrets(p.status().message(), secrets));
    }
    out.lock.packages.push_back(std::move(*p));
  }
  out.http_requests = http.request_count();
  if (file.hash_mode) IGNITE_RETURN_IF_ERROR(check_hashes(file, out.lock));
  out.bytes = write_pylock(out.lock);
  out.lock_hash = lock_hash(out.bytes).to_string();
  out.origin = LockOrigin::kResolved;
  IGNITE_RETURN_IF_ERROR(store_cached_lock(cache, out.key, out.bytes));
  return out;
}

}  // namespace ignite::index
