#include "builder/wheel/install_plan.h"

#include <set>

#include "builder/util/ascii.h"
#include "builder/wheel/member_path.h"

namespace ignite::wheel {
namespace {

// Every installed path and the directories they imply, with who put each there, so that two
// claims on one path are refused whatever their order in the zip.
class PathClaims {
 public:
  Status claim(const std::string& path, bool is_dir, const std::string& owner) {
    for (std::size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      IGNITE_RETURN_IF_ERROR(add(path.substr(0, slash), true, owner));
    }
    return add(path, is_dir, owner);
  }

 private:
  struct Claim {
    bool is_dir;
    std::string owner;
  };

  Status add(const std::string& path, bool is_dir, const std::string& owner) {
    auto [it, inserted] = claims_.try_emplace(path, Claim{is_dir, owner});
    if (inserted || (is_dir && it->second.is_dir)) return ok_status();
    const std::string what =
        !is_dir && !it->second.is_dir ? " twice" : " as a file and as a directory";
    return invalid_argument(owner + " and " + it->second.owner + " install " + quote_member(path) +
                            what);
  }

  std::map<std::string, Claim> claims_;
};

std::string member_owner(const std::string& name) { return "member " + quote_member(name); }

// For a script named like an entry point: the name setuptools' wrapper would be for (pip's
// is_entrypoint_wrapper).
std::string wrapper_base(std::string_view file) {
  auto ends_with_ci = [&](std::string_view suffix) {
    if (file.size() < suffix.size()) return false;
    return ascii_lower(file.substr(file.size() - suffix.size())) == suffix;
  };
  for (std::string_view suffix : {".exe", "-script.py", ".pya"}) {
    if (ends_with_ci(suffix)) return std::string(file.substr(0, file.size() - suffix.size()));
  }
  return std::string(file);
}

class Planner {
 public:
  Planner(DistInfo dist_info, bool requested) : requested_(requested) {
    plan_.dist_info = std::move(dist_info);
  }

  Result<InstallPlan> run(const std::vector<ZipMember>& members, const DistInfoTexts& texts) {
    IGNITE_RETURN_IF_ERROR(read_dist_info(texts));
    std::set<std::string> seen;
    for (const ZipMember& m : members) {
      if (!seen.insert(m.name).second) {
        return invalid_argument(member_owner(m.name) + ": duplicate member");
      }
      IGNITE_RETURN_IF_ERROR(place(m));
    }
    IGNITE_RETURN_IF_ERROR(add_generated());
    return std::move(plan_);
  }

 private:
  const std::string& di() const { return plan_.dist_info.dir; }

  Status read_dist_info(const DistInfoTexts& texts) {
    const std::string where = quote_member(di());
    if (!texts.has_metadata) return invalid_argument(where + " has no METADATA");
    if (!texts.has_record) return invalid_argument(where + " has no RECORD");
    if (!texts.wheel) return invalid_argument(where + " has no WHEEL");
    auto info = parse_wheel_info(*texts.wheel);
    if (!info.ok()) return info.status().with_context(quote_member(di() + "/WHEEL"));
    plan_.wheel = *info;
    if (texts.entry_points) {
      auto scripts = parse_script_entry_points(*texts.entry_points);
      if (!scripts.ok()) {
        return scripts.status().with_context(quote_member(di() + "/entry_points.txt"));
      }
      plan_.scripts = std::move(*scripts);
    }
    for (const ScriptEntry& s : plan_.scripts) script_names_.insert(s.name);
    return ok_status();
  }

  Status place(const ZipMember& m) {
    const std::string owner = member_owner(m.name);
    const std::string_view top = first_component(m.name);
    const bool in_data = top.ends_with(".data");
    if (m.is_directory) {
      // Never created, but a directory member still may not clash with a file.
      if (!in_data) return claims_.claim(m.name, true, owner);
      auto dest = data_dest(m.name);
      if (dest.ok() && !dest->in_scheme_root) return claims_.claim(dest->path, true, owner);
      return ok_status();
    }
    if (top == di()) {
      const std::string_view rest = std::string_view(m.name).substr(di().size());
      if (rest == "/RECORD" || rest == "/INSTALLER" || rest == "/REQUESTED") return ok_status();
    }
    PlannedFile f;
    f.mode = m.executable ? 0755 : 0644;
    if (!in_data) {
      f.dest = m.name;
    } else {
      auto dest = data_dest(m.name);
      if (!dest.ok()) return dest.status().with_context(owner);
      if (dest->in_scheme_root) {
        return invalid_argument(owner + ": a file directly in " + quote_member(top) +
                                ", not in one of its scheme directories");
      }
      f.dest = std::move(dest->path);
      if (dest->script) {
        const std::string_view file = std::string_view(f.dest).substr(f.dest.rfind('/') + 1);
        if (script_names_.contains(wrapper_base(file))) return ok_status();
        f.script = true;
        f.mode = 0755;
      }
    }
    IGNITE_RETURN_IF_ERROR(claims_.claim(f.dest, false, owner));
    plan_.files.emplace(m.name, std::move(f));
    return ok_status();
  }

  struct DataDest {
    std::string path;             // where it is installed
    bool script = false;          // under scripts/
    bool in_scheme_root = false;  // "<x>.data" or "<x>.data/<scheme>" itself
  };

  // "<x>.data/<scheme>/<rest>" -> where <rest> is installed.
  Result<DataDest> data_dest(const std::string& name) const {
    const std::size_t s1 = name.find('/');
    if (s1 == std::string::npos) return DataDest{"", false, true};
    const std::size_t s2 = name.find('/', s1 + 1);
    const std::string scheme = name.substr(s1 + 1, s2 == std::string::npos ? s2 : s2 - s1 - 1);
    const std::string rest = s2 == std::string::npos ? "" : name.substr(s2 + 1);
    std::string base;
    if (scheme == "scripts") {
      base = "bin";
    } else if (scheme == "headers") {
      base = "include/python/" + plan_.dist_info.name;
    } else if (scheme != "purelib" && scheme != "platlib" && scheme != "data") {
      return invalid_argument("unknown scheme " + quote_member(scheme) +
                              " (only purelib, platlib, scripts, headers and data are)");
    }
    DataDest d;
    d.script = scheme == "scripts";
    d.in_scheme_root = rest.empty();
    d.path = base.empty() ? rest : rest.empty() ? base : base + "/" + rest;
    return d;
  }

  Status add_generated() {
    for (std::size_t i = 0; i < plan_.scripts.size(); ++i) {
      const ScriptEntry& s = plan_.scripts[i];
      GeneratedFile g{"bin/" + s.name, GeneratedFile::Kind::kLauncher, i};
      IGNITE_RETURN_IF_ERROR(claims_.claim(
          g.dest, false,
          std::string(s.gui ? "gui" : "console") + " script " + quote_member(s.name)));
      plan_.generated.push_back(std::move(g));
    }
    auto add = [&](const char* file, GeneratedFile::Kind kind) -> Status {
      GeneratedFile g{di() + "/" + file, kind, 0};
      IGNITE_RETURN_IF_ERROR(claims_.claim(g.dest, false, std::string("the installer's ") + file));
      plan_.generated.push_back(std::move(g));
      return ok_status();
    };
    IGNITE_RETURN_IF_ERROR(add("INSTALLER", GeneratedFile::Kind::kInstaller));
    if (requested_) IGNITE_RETURN_IF_ERROR(add("REQUESTED", GeneratedFile::Kind::kRequested));
    return add("RECORD", GeneratedFile::Kind::kRecord);
  }

  bool requested_;
  InstallPlan plan_;
  std::set<std::string> script_names_;
  PathClaims claims_;
};

}  // namespace

Result<InstallPlan> plan_install(const std::vector<ZipMember>& members, DistInfo dist_info,
                                 const DistInfoTexts& texts, bool requested) {
  return Planner(std::move(dist_info), requested).run(members, texts);
}

}  // namespace ignite::wheel
