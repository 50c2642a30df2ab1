#include "builder/wheel/record_check.h"

#include <set>

#include "builder/util/utf8.h"
#include "builder/wheel/member_path.h"
#include "builder/wheel/record.h"

namespace ignite::wheel {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

class Checker {
 public:
  Checker(std::string_view dist_info, const std::map<std::string, MemberDigest>& files)
      : dist_info_(dist_info), files_(files) {}

  std::vector<std::string> run(std::string_view text) {
    if (auto bad = find_invalid_utf8(text)) {
      problem("RECORD is not valid UTF-8 (at byte " + std::to_string(*bad) + ")");
    } else if (auto rows = parse_record_csv(text); !rows.ok()) {
      problem("RECORD is not valid CSV: " + rows.status().message());
    } else {
      for (const RecordRow& row : *rows) check_row(row);
    }
    for (const auto& [path, digest] : files_) {
      if (!listed_.contains(path) && !exempt(path)) problem(q(path) + ": not listed in RECORD");
    }
    return std::move(problems_);
  }

 private:
  static std::string q(std::string_view path) { return quote_member(path); }

  void problem(std::string text) { problems_.push_back(std::move(text)); }

  bool is_record(std::string_view path) const {
    return path.size() == dist_info_.size() + 7 && path.starts_with(dist_info_) &&
           path.substr(dist_info_.size()) == "/RECORD";
  }
  // RECORD cannot hold its own hash, and the signatures sign RECORD: the spec exempts them.
  bool exempt(std::string_view path) const {
    if (!path.starts_with(dist_info_)) return false;
    std::string_view rest = path.substr(dist_info_.size());
    return rest == "/RECORD" || rest == "/RECORD.jws" || rest == "/RECORD.p7s";
  }

  void check_row(const RecordRow& row) {
    const std::string where = "RECORD line " + std::to_string(row.line);
    if (row.fields.size() != 3) {
      problem(where + ": " + std::to_string(row.fields.size()) +
              " fields instead of 3 (path, hash, size)");
      if (row.fields.empty()) return;
    }
    const std::string& path = row.fields[0];
    const std::string hash = row.fields.size() > 1 ? row.fields[1] : "";
    const std::string size = row.fields.size() > 2 ? row.fields[2] : "";
    if (!listed_.insert(path).second) {
      problem(q(path) + ": listed twice in RECORD");
      return;
    }
    auto it = files_.find(path);
    if (it == files_.end()) {
      // RECORD's own row names a file that is there by construction.
      if (!is_record(path)) problem(q(path) + ": listed in RECORD but not in the wheel");
      return;
    }
    if (exempt(path) && hash.empty() && size.empty()) return;
    if (is_record(path)) return;  // a hash of RECORD in RECORD cannot be right; never checked
    if (hash.empty()) {
      problem(q(path) + ": no hash in RECORD");
    } else if (!hash.starts_with("sha256=")) {
      problem(q(path) + ": RECORD hash " + q(hash.substr(0, hash.find('='))) +
              " is not sha256 (the only algorithm checked here)");
    } else if (hash != it->second.hash) {
      problem(q(path) + ": sha256 differs (RECORD says " + q(hash) + ", the wheel holds " +
              it->second.hash + ")");
    }
    if (size.empty()) {
      problem(q(path) + ": no size in RECORD");
    } else if (!all_digits(size) || size != std::to_string(it->second.size)) {
      problem(q(path) + ": size differs (RECORD says " + q(size) + ", the wheel holds " +
              std::to_string(it->second.size) + " bytes)");
    }
  }

  std::string_view dist_info_;
  const std::map<std::string, MemberDigest>& files_;
  std::set<std::string> listed_;
  std::vector<std::string> problems_;
};

}  // namespace

std::vector<std::string> record_problems(std::string_view record_text, std::string_view dist_info,
                                         const std::map<std::string, MemberDigest>& files) {
  return Checker(dist_info, files).run(record_text);
}

}  // namespace ignite::wheel
