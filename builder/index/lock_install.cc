#include "builder/index/lock_install.h"

#include "builder/python/marker.h"
#include "builder/util/file_io.h"
#include "builder/util/sha256.h"

namespace ignite::index {
namespace {

bool is_requested(const LockedPackage& p) {
  for (const std::string& why : p.required_by) {
    if (why.starts_with("requested:")) return true;
  }
  // A foreign lock (pip's, uv's) says nothing of why: every package counts as named.
  return p.required_by.empty();
}

std::string named(const LockedPackage& p, const LockedWheel& w) {
  return p.name + " " + p.version + ": " + w.name;
}

}  // namespace

Result<std::vector<InstallItem>> install_set_for(const Lock& lock,
                                                 const python::PythonTarget& target,
                                                 const python::Environment& env) {
  const python::TagPriority tags(python::target_tags(target));
  return install_set(lock, env, tags);
}

Result<std::vector<InstallItem>> install_set(const Lock& lock, const python::Environment& env,
                                             const python::TagPriority& tags) {
  std::vector<InstallItem> out;
  for (const LockedPackage& p : lock.packages) {
    if (p.marker) {
      IGNITE_ASSIGN_OR_RETURN(python::Marker marker, python::Marker::parse(*p.marker));
      auto applies = marker.evaluate(env, python::MarkerContext::kLockFile);
      if (!applies.ok()) return applies.status().with_context("package " + p.name);
      if (!*applies) continue;
    }
    IGNITE_ASSIGN_OR_RETURN(const LockedWheel* wheel, select_locked_wheel(p, tags));
    out.push_back(InstallItem{&p, wheel, is_requested(p)});
  }
  return out;
}

Result<std::string> fetch_locked_wheel(const ContentCache& cache, HttpClient* http,
                                       const LockedPackage& package, const LockedWheel& wheel) {
  if (auto path = cache.find_blob(wheel.sha256)) return *path;
  std::string bytes;
  if (!wheel.path.empty()) {
    auto read = read_file(wheel.path);
    if (!read.ok()) {
      return Status(read.status().code(), named(package, wheel) + ": the lock's wheel " +
                                              wheel.path +
                                              " cannot be read: " + read.status().message());
    }
    bytes = std::move(*read);
  } else {
    if (http == nullptr || wheel.url.empty()) {
      return invalid_argument(named(package, wheel) + ": the lock gives neither a path nor a url");
    }
    IGNITE_ASSIGN_OR_RETURN(Url url, Url::parse(wheel.url));
    IGNITE_ASSIGN_OR_RETURN(HttpResponse response, http->get(url, "*/*"));
    if (response.status != 200) {
      return http_status_error(response, named(package, wheel) + ": downloading " + wheel.url);
    }
    bytes = std::move(response.body);
  }
  const std::string actual = sha256_hex(bytes);
  if (actual != wheel.sha256) {
    return data_loss(named(package, wheel) + ": sha256 mismatch: the lock has " + wheel.sha256 +
                     ", " + (wheel.path.empty() ? wheel.url : wheel.path) + " has " + actual +
                     "; nothing was installed or kept");
  }
  return cache.put_blob(bytes, actual);
}

}  // namespace ignite::index
