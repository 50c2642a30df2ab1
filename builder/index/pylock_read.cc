// The pylock.toml reader (pylock.h): TOML through toml++, then the PEP 751 fields the
// builder uses.
#include "builder/index/pylock.h"

#include "builder/index/toml_key_depth.h"
#include "builder/index/tomlplusplus.h"
#include "builder/index/url.h"
#include "builder/python/dist_filename.h"
#include "builder/python/marker.h"
#include "builder/python/names.h"
#include "builder/python/specifier.h"
#include "builder/python/version.h"
#include "builder/util/sha256.h"

namespace ignite::index {
namespace {

// "string", "integer", ... for messages.
std::string_view kind_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::none:
      break;
  }
  return "value";
}

class Reader {
 public:
  explicit Reader(std::string_view origin) : origin_(origin) {}

  Status fail(std::string_view where, std::string_view reason) const {
    return invalid_argument(origin_ + ": " + std::string(where) + ": " + std::string(reason));
  }

  // An optional string field; a present field of another type is an error.
  Result<std::optional<std::string>> string_field(const toml::table& t, const char* key,
                                                  std::string_view where) const {
    const toml::node* v = t.get(key);
    if (v == nullptr) return std::optional<std::string>();
    const toml::value<std::string>* s = v->as_string();
    if (s == nullptr) {
      return fail(where, std::string(key) + " must be a string, not a " +
                             std::string(kind_name(v->type())));
    }
    return std::optional<std::string>(s->get());
  }

  Result<LockedWheel> wheel(const toml::table& t, const LockedPackage& p,
                            std::string_view where) const {
    LockedWheel w;
    IGNITE_ASSIGN_OR_RETURN(auto url, string_field(t, "url", where));
    IGNITE_ASSIGN_OR_RETURN(auto path, string_field(t, "path", where));
    IGNITE_ASSIGN_OR_RETURN(auto name, string_field(t, "name", where));
    if (!url && !path) return fail(where, "a wheel needs a url or a path");
    if (url) {
      auto parsed = Url::parse(*url);
      if (!parsed.ok()) return fail(where, parsed.status().message());
      if (parsed->has_userinfo) return fail(where, "a wheel url must not carry credentials");
      w.url = parsed->to_string();
    }
    if (path && !url) w.path = *path;
    if (name) {
      w.name = *name;
    } else {
      const std::string& from = url ? *url : *path;
      const std::size_t slash = from.rfind('/');
      w.name = percent_decode(slash == std::string::npos ? from : from.substr(slash + 1));
    }
    auto parsed = python::WheelFilename::parse(w.name);
    if (!parsed.ok()) return fail(where, parsed.status().message());
    if (parsed->name != p.name) {
      return fail(where, "wheel " + w.name + " is not a file of package " + p.name);
    }
    const toml::table* hashes = t.get_as<toml::table>("hashes");
    if (hashes == nullptr) return fail(where, "a wheel needs a hashes table");
    const toml::value<std::string>* sha = hashes->get_as<std::string>("sha256");
    if (sha == nullptr || !is_sha256_hex(sha->get())) {
      return fail(where, "a wheel needs hashes.sha256 (64 lowercase hex digits)");
    }
    w.sha256 = sha->get();
    return w;
  }

  Result<LockedPackage> package(const toml::table& t, std::size_t index) const {
    const std::string where = "packages[" + std::to_string(index) + "]";
    LockedPackage p;
    IGNITE_ASSIGN_OR_RETURN(auto name, string_field(t, "name", where));
    if (!name) return fail(where, "a package needs a name");
    auto canonical = python::canonicalize_valid_name(*name);
    if (!canonical.ok()) return fail(where, canonical.status().message());
    p.name = *canonical;
    const std::string named = where + " (" + p.name + ")";
    IGNITE_ASSIGN_OR_RETURN(auto version, string_field(t, "version", named));
    if (!version)
      return fail(named, "a package needs a version (the builder installs wheels only)");
    auto v = python::Version::parse(*version);
    if (!v.ok()) return fail(named, v.status().message());
    p.version = v->to_string();
    for (const char* kind : {"sdist", "vcs", "directory", "archive"}) {
      if (t.contains(kind)) {
        return fail(named, std::string("a package from ") + kind +
                               " is not installable: the builder installs wheels only");
      }
    }
    IGNITE_ASSIGN_OR_RETURN(p.marker, string_field(t, "marker", named));
    if (p.marker) {
      auto m = python::Marker::parse(*p.marker);
      if (!m.ok()) return fail(named, m.status().message());
    }
    IGNITE_ASSIGN_OR_RETURN(p.requires_python, string_field(t, "requires-python", named));
    if (p.requires_python) {
      auto s = python::SpecifierSet::parse(*p.requires_python);
      if (!s.ok()) return fail(named, s.status().message());
    }
    IGNITE_ASSIGN_OR_RETURN(auto idx, string_field(t, "index", named));
    if (idx) p.index = strip_credentials(*idx);
    const toml::array* wheels = t.get_as<toml::array>("wheels");
    if (wheels == nullptr || wheels->empty()) {
      return fail(named, "a package needs at least one wheel (the builder installs wheels only)");
    }
    for (std::size_t i = 0; i < wheels->size(); ++i) {
      const toml::table* wt = (*wheels)[i].as_table();
      const std::string wwhere = named + ".wheels[" + std::to_string(i) + "]";
      if (wt == nullptr) return fail(wwhere, "a wheel must be a table");
      IGNITE_ASSIGN_OR_RETURN(LockedWheel w, wheel(*wt, p, wwhere));
      p.wheels.push_back(std::move(w));
    }
    // Ours, so only read when it has the shape we write; another tool's keys are not checked.
    if (const toml::array* why = t["tool"]["ignite"]["required-by"].as_array()) {
      for (const toml::node& item : *why) {
        if (const toml::value<std::string>* s = item.as_string()) p.required_by.push_back(s->get());
      }
    }
    return p;
  }

  Result<Lock> lock(const toml::table& root) const {
    Lock out;
    IGNITE_ASSIGN_OR_RETURN(auto version, string_field(root, "lock-version", "lock-version"));
    if (!version) return fail("lock-version", "missing (this is not a PEP 751 lock)");
    if (!version->starts_with("1.")) {
      return fail("lock-version", "version " + *version + " is not supported (1.x is)");
    }
    if (const toml::node* envs = root.get("environments")) {
      if (!envs->is_array()) return fail("environments", "must be an array of markers");
      for (const toml::node& e : *envs->as_array()) {
        const toml::value<std::string>* marker = e.as_string();
        if (marker == nullptr) return fail("environments", "must be an array of markers");
        auto m = python::Marker::parse(marker->get());
        if (!m.ok()) return fail("environments", m.status().message());
        out.environments.push_back(marker->get());
      }
    }
    IGNITE_ASSIGN_OR_RETURN(out.requires_python,
                            string_field(root, "requires-python", "requires-python"));
    IGNITE_ASSIGN_OR_RETURN(auto created_by, string_field(root, "created-by", "created-by"));
    out.created_by = created_by.value_or("");
    if (!root.contains("packages")) return out;
    const toml::array* packages = root.get_as<toml::array>("packages");
    if (packages == nullptr) return fail("packages", "must be an array of tables");
    for (std::size_t i = 0; i < packages->size(); ++i) {
      const toml::table* t = (*packages)[i].as_table();
      if (t == nullptr) return fail("packages[" + std::to_string(i) + "]", "must be a table");
      IGNITE_ASSIGN_OR_RETURN(LockedPackage p, package(*t, i));
      out.packages.push_back(std::move(p));
    }
    return out;
  }

 private:
  std::string origin_;
};

}  // namespace

Result<Lock> read_pylock(std::string_view text, std::string_view origin) {
  IGNITE_RETURN_IF_ERROR(check_toml_key_depth(text).with_context(origin));
  toml::parse_result root = toml::parse(text);
  if (!root) {
    const toml::parse_error& e = root.error();
    return invalid_argument(
        std::string(origin) + ": line " + std::to_string(e.source().begin.line) + ", column " +
        std::to_string(e.source().begin.column) + ": " + std::string(e.description()));
  }
  return Reader(origin).lock(root.table());
}

Result<const LockedWheel*> select_locked_wheel(const LockedPackage& package,
                                               const python::TagPriority& tags) {
  std::vector<python::WheelFilename> parsed;
  std::vector<const LockedWheel*> wheels;
  for (const LockedWheel& w : package.wheels) {
    auto f = python::WheelFilename::parse(w.name);
    if (!f.ok()) continue;
    parsed.push_back(std::move(*f));
    wheels.push_back(&w);
  }
  auto best = python::select_best_wheel(parsed, tags);
  if (!best) {
    std::string names;
    for (const LockedWheel& w : package.wheels) names += (names.empty() ? "" : ", ") + w.name;
    return failed_precondition("installing " + package.name + " " + package.version +
                               " from the lock: no wheel fits the target (" + names + ")");
  }
  return wheels[*best];
}

}  // namespace ignite::index
