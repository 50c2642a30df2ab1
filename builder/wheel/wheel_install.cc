// install_wheel: two passes over the zip. The first lists the members and reads the small
// .dist-info files, so that the whole layout is planned (and every refusal made) before a byte
// is written; the second streams each file into place, hashing what it reads for the RECORD
// check and what it writes for the installed RECORD.
#include "builder/wheel/wheel_install.h"

#include <algorithm>
#include <map>

#include "builder/python/dist_filename.h"
#include "builder/util/quote.h"
#include "builder/util/sha256.h"
#include "builder/util/utf8.h"
#include "builder/wheel/dist_info.h"
#include "builder/wheel/install_plan.h"
#include "builder/wheel/member_path.h"
#include "builder/wheel/record.h"
#include "builder/wheel/record_check.h"
#include "builder/wheel/shebang.h"
#include "builder/wheel/target_tree.h"
#include "builder/wheel/wheel_zip.h"

namespace ignite::wheel {
namespace {

// The .dist-info files read into memory; real RECORDs stay under a few megabytes.
constexpr std::uint64_t kMaxDistInfoFileBytes = 32 << 20;
// Problems quoted in a strict-mode error; the rest are counted.
constexpr std::size_t kProblemsShown = 10;
constexpr std::string_view kInstaller = "ignite-builder\n";

Status check_interpreter(std::string_view interpreter) {
  auto refuse = [&](const std::string& why) {
    return invalid_argument("interpreter " + quote_text(interpreter) + ": " + why);
  };
  if (!interpreter.starts_with('/')) return refuse("not an absolute path");
  if (!is_valid_utf8(interpreter)) return refuse("not valid UTF-8");
  for (char c : interpreter) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) return refuse("holds whitespace or a control byte");
  }
  // distlib writes a /bin/sh trampoline past 127 bytes ("#!" + path + "\n"); we do not.
  if (interpreter.size() + 3 > 127) return refuse("too long for a shebang line (127 bytes)");
  return ok_status();
}

// Pass 1 reads these .dist-info files, for whichever .dist-info turns out to be the one.
bool is_dist_info_text(std::string_view name) {
  const std::size_t slash = name.find('/');
  if (slash == std::string_view::npos || !name.substr(0, slash).ends_with(".dist-info")) {
    return false;
  }
  const std::string_view file = name.substr(slash + 1);
  return file == "WHEEL" || file == "RECORD" || file == "entry_points.txt";
}

struct Listing {
  std::vector<ZipMember> members;
  std::map<std::string, std::string> texts;  // by member name
};

Result<Listing> list_members(const WheelFile& file, const InstallLimits& limits) {
  ZipPass pass(file, limits);
  IGNITE_RETURN_IF_ERROR(pass.start());
  Listing out;
  for (;;) {
    IGNITE_ASSIGN_OR_RETURN(std::optional<ZipMember> m, pass.next());
    if (!m) break;
    if (!m->is_directory && is_dist_info_text(m->name)) {
      auto text = pass.read_all(kMaxDistInfoFileBytes);
      if (!text.ok()) return text.status().with_context("member " + quote_member(m->name));
      out.texts[m->name] = std::move(*text);
    }
    out.members.push_back(std::move(*m));
  }
  return out;
}

DistInfoTexts texts_of(const Listing& listing, const DistInfo& di) {
  DistInfoTexts t;
  auto text = [&](const char* file) -> std::optional<std::string> {
    auto it = listing.texts.find(di.dir + "/" + file);
    if (it == listing.texts.end()) return std::nullopt;
    return it->second;
  };
  t.wheel = text("WHEEL");
  t.entry_points = text("entry_points.txt");
  t.has_record = listing.texts.contains(di.dir + "/RECORD");
  for (const ZipMember& m : listing.members) {
    if (!m.is_directory && m.name == di.dir + "/METADATA") t.has_metadata = true;
  }
  return t;
}

class Installer {
 public:
  Installer(const WheelFile& file, const InstallPlan& plan, TargetTree& target,
            const InstallOptions& options)
      : file_(file), plan_(plan), target_(target), options_(options) {}

  // Pass 2: every file member hashed, the planned ones written.
  Status extract(const std::vector<ZipMember>& expected) {
    ZipPass pass(file_, options_.limits);
    IGNITE_RETURN_IF_ERROR(pass.start());
    std::size_t i = 0;
    for (;; ++i) {
      IGNITE_ASSIGN_OR_RETURN(std::optional<ZipMember> m, pass.next());
      if (!m) break;
      if (i >= expected.size() || m->name != expected[i].name ||
          m->is_directory != expected[i].is_directory) {
        return data_loss("the zip read differently the second time (at member " +
                         quote_member(m->name) + ")");
      }
      if (m->is_directory) continue;
      Status s = extract_member(pass, m->name);
      if (!s.ok()) return s.with_context("member " + quote_member(m->name));
    }
    if (i != expected.size()) return data_loss("the zip read differently the second time");
    return ok_status();
  }

  // The RECORD check; under kStrict a mismatch fails the install.
  Status check_record(const std::string& record_text) {
    std::vector<std::string> problems = record_problems(record_text, plan_.dist_info.dir, digests_);
    if (problems.empty()) return ok_status();
    if (options_.record == RecordPolicy::kWarn) {
      for (std::string& p : problems) warnings_.push_back("RECORD: " + std::move(p));
      return ok_status();
    }
    std::string msg = "RECORD does not match the wheel: ";
    for (std::size_t i = 0; i < problems.size() && i < kProblemsShown; ++i) {
      msg += (i ? "; " : "") + problems[i];
    }
    if (problems.size() > kProblemsShown) {
      msg += " (and " + std::to_string(problems.size() - kProblemsShown) + " more)";
    }
    return failed_precondition(std::move(msg));
  }

  // Launchers, INSTALLER, REQUESTED, then RECORD listing everything.
  Status write_generated() {
    for (const GeneratedFile& g : plan_.generated) {
      switch (g.kind) {
        case GeneratedFile::Kind::kLauncher: {
          const std::string text = launcher_script(plan_.scripts[g.script], options_.interpreter);
          IGNITE_RETURN_IF_ERROR(write_whole(g.dest, text, 0755));
          rows_.push_back({g.dest, record_hash(digest_of(text)), std::to_string(text.size())});
          break;
        }
        case GeneratedFile::Kind::kInstaller:
          IGNITE_RETURN_IF_ERROR(write_whole(g.dest, kInstaller, 0644));
          rows_.push_back({g.dest, "", ""});
          break;
        case GeneratedFile::Kind::kRequested:
          IGNITE_RETURN_IF_ERROR(write_whole(g.dest, "", 0644));
          rows_.push_back({g.dest, "", ""});
          break;
        case GeneratedFile::Kind::kRecord:
          break;  // last, below
      }
    }
    for (const GeneratedFile& g : plan_.generated) {
      if (g.kind != GeneratedFile::Kind::kRecord) continue;
      rows_.push_back({g.dest, "", ""});
      IGNITE_RETURN_IF_ERROR(write_whole(g.dest, write_record(rows_), 0644));
    }
    return ok_status();
  }

  InstalledWheel result() {
    InstalledWheel w;
    w.name = plan_.dist_info.name;
    w.version = plan_.dist_info.version;
    for (const InstalledRow& r : rows_) w.files.push_back(r.path);
    std::sort(w.files.begin(), w.files.end());
    w.warnings = std::move(warnings_);
    return w;
  }

 private:
  static Sha256Bytes digest_of(std::string_view data) {
    Sha256 h;
    h.update(data);
    return h.finish();
  }

  Status write_whole(const std::string& dest, std::string_view data, int mode) {
    IGNITE_ASSIGN_OR_RETURN(UniqueFd fd, target_.create_file(dest, mode));
    IGNITE_RETURN_IF_ERROR(write_all(fd.get(), data, quote_member(dest)));
    return close_file(std::move(fd), quote_member(dest));
  }

  Status extract_member(ZipPass& pass, const std::string& name) {
    Sha256 read_hash;
    std::uint64_t read_size = 0;
    auto planned = plan_.files.find(name);
    if (planned == plan_.files.end()) {  // not installed, but RECORD still describes it
      IGNITE_RETURN_IF_ERROR(pass.read(
          [&](std::string_view chunk) {
            read_hash.update(chunk);
            read_size += chunk.size();
            return ok_status();
          },
          options_.limits.max_member_bytes));
      digests_[name] = {record_hash(read_hash.finish()), read_size};
      return ok_status();
    }
    const PlannedFile& f = planned->second;
    const std::string dest = quote_member(f.dest);
    IGNITE_ASSIGN_OR_RETURN(UniqueFd fd, target_.create_file(f.dest, f.mode));
    std::optional<ShebangRewriter> shebang;
    if (f.script) shebang.emplace(options_.interpreter);
    Sha256 written_hash;
    std::uint64_t written_size = 0;
    std::string rewritten;
    auto emit = [&](std::string_view data) {
      written_hash.update(data);
      written_size += data.size();
      return write_all(fd.get(), data, dest);
    };
    IGNITE_RETURN_IF_ERROR(pass.read(
        [&](std::string_view chunk) {
          read_hash.update(chunk);
          read_size += chunk.size();
          if (!shebang) return emit(chunk);
          rewritten.clear();
          shebang->feed(chunk, rewritten);
          return emit(rewritten);
        },
        options_.limits.max_member_bytes));
    if (shebang) {
      rewritten.clear();
      shebang->finish(rewritten);
      IGNITE_RETURN_IF_ERROR(emit(rewritten));
    }
    IGNITE_RETURN_IF_ERROR(close_file(std::move(fd), dest));
    digests_[name] = {record_hash(read_hash.finish()), read_size};
    rows_.push_back({f.dest, record_hash(written_hash.finish()), std::to_string(written_size)});
    return ok_status();
  }

  const WheelFile& file_;
  const InstallPlan& plan_;
  TargetTree& target_;
  const InstallOptions& options_;
  std::map<std::string, MemberDigest> digests_;  // every file member, as read
  std::vector<InstalledRow> rows_;               // every installed file
  std::vector<std::string> warnings_;
};

Result<InstalledWheel> install(const std::string& wheel_path, std::string_view filename,
                               const std::string& target_dir, const InstallOptions& options) {
  IGNITE_RETURN_IF_ERROR(check_interpreter(options.interpreter));
  IGNITE_ASSIGN_OR_RETURN(python::WheelFilename parsed, python::WheelFilename::parse(filename));
  IGNITE_ASSIGN_OR_RETURN(WheelFile file, WheelFile::open(wheel_path, options.limits));
  IGNITE_ASSIGN_OR_RETURN(Listing listing, list_members(file, options.limits));
  IGNITE_ASSIGN_OR_RETURN(DistInfo di, find_dist_info(listing.members, parsed));
  const DistInfoTexts texts = texts_of(listing, di);
  IGNITE_ASSIGN_OR_RETURN(InstallPlan plan,
                          plan_install(listing.members, di, texts, options.requested));
  IGNITE_ASSIGN_OR_RETURN(TargetTree target, TargetTree::open(target_dir));
  Installer installer(file, plan, target, options);
  IGNITE_RETURN_IF_ERROR(installer.extract(listing.members));
  IGNITE_RETURN_IF_ERROR(installer.check_record(listing.texts.at(di.dir + "/RECORD")));
  IGNITE_RETURN_IF_ERROR(installer.write_generated());
  return installer.result();
}

}  // namespace

Result<InstalledWheel> install_wheel(const std::string& wheel_path, std::string_view filename,
                                     const std::string& target_dir, const InstallOptions& options) {
  auto r = install(wheel_path, filename, target_dir, options);
  if (!r.ok()) return r.status().with_context("installing wheel " + quote_text(filename));
  return r;
}

}  // namespace ignite::wheel
