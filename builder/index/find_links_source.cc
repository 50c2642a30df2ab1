#include "builder/index/find_links_source.h"

#include <algorithm>
#include <filesystem>

#include "builder/index/wheel_metadata.h"
#include "builder/python/names.h"
#include "builder/util/ascii.h"
#include "builder/util/file_io.h"
#include "builder/util/sha256.h"

namespace ignite::index {

namespace fs = std::filesystem;

std::string file_url(const std::string& absolute_path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out = "file://";
  for (unsigned char c : absolute_path) {
    if (is_ascii_alnum(static_cast<char>(c)) || c == '/' || c == '-' || c == '_' || c == '.' ||
        c == '~' || c == '+' || c == '!' || c == ',' || c == '=') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

FindLinksSource::FindLinksSource(std::string dir, TargetSelection target)
    : target_(std::move(target)) {
  std::error_code ec;
  fs::path abs = fs::absolute(dir, ec);
  dir_ = ec ? dir : abs.lexically_normal().string();
  while (dir_.size() > 1 && dir_.ends_with('/')) dir_.pop_back();
}

Status FindLinksSource::scan() {
  if (scanned_) return ok_status();
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) {
    return not_found("reading find-links directory " + dir_ + ": no such directory");
  }
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string filename = it->path().filename().string();
    if (!filename.ends_with(".whl")) {
      if (auto sdist = python::SdistFilename::parse(filename); sdist.ok()) {
        sdists_[sdist->name].push_back(filename);
      }
      continue;
    }
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    auto parsed = python::WheelFilename::parse(filename);
    if (!parsed.ok()) continue;  // pip skips links it cannot read
    by_name_[parsed->name].push_back(Wheel{filename, std::move(*parsed)});
  }
  if (ec) return errno_status("reading find-links directory " + dir_, ec.value());
  for (auto& [name, wheels] : by_name_) {
    std::sort(wheels.begin(), wheels.end(),
              [](const Wheel& a, const Wheel& b) { return a.filename < b.filename; });
  }
  scanned_ = true;
  return ok_status();
}

Result<const CoreMetadata*> FindLinksSource::metadata(const std::string& filename,
                                                      const python::WheelFilename& w) {
  if (auto it = metadata_.find(filename); it != metadata_.end()) return &it->second;
  const std::string path = dir_ + "/" + filename;
  IGNITE_ASSIGN_OR_RETURN(std::string text, read_wheel_metadata(path, w.name));
  IGNITE_ASSIGN_OR_RETURN(CoreMetadata md, parse_core_metadata(text, "metadata of " + path));
  if (python::canonicalize_name(md.name) != w.name || md.version != w.version) {
    return failed_precondition("reading " + path + ": its metadata names " + md.name + " " +
                               md.version.to_string() + ", not what the file name says (" + w.name +
                               " " + w.version.to_string() + ")");
  }
  return &metadata_.emplace(filename, std::move(md)).first->second;
}

Result<std::vector<resolve::Candidate>> FindLinksSource::candidates(
    std::string_view canonical_name) {
  IGNITE_RETURN_IF_ERROR(scan());
  auto it = by_name_.find(std::string(canonical_name));
  if (it == by_name_.end()) return std::vector<resolve::Candidate>{};
  std::vector<FileOption> options;
  for (const Wheel& w : it->second) {
    // Files the target cannot install are not opened at all.
    if (!target_.tags.best_rank(w.parsed.tags)) continue;
    IGNITE_ASSIGN_OR_RETURN(const CoreMetadata* md, metadata(w.filename, w.parsed));
    resolve::Candidate c{.name = w.parsed.name,
                         .version = w.parsed.version,
                         .filename = w.filename,
                         .url = file_url(dir_ + "/" + w.filename),
                         .sha256 = "",  // hashed when fetched
                         .requires_python = md->requires_python,
                         .yanked = false,
                         .yanked_reason = ""};
    options.push_back(FileOption{w.parsed, std::move(c)});
  }
  std::vector<resolve::Candidate> out;
  for (std::size_t i : choose_files(options, target_))
    out.push_back(std::move(options[i].candidate));
  return out;
}

std::vector<std::string> FindLinksSource::unusable_files(std::string_view canonical_name) {
  std::vector<std::string> out;
  if (!scan().ok()) return out;
  const std::string name(canonical_name);
  if (auto it = sdists_.find(name); it != sdists_.end()) {
    for (const std::string& f : it->second) out.push_back(f + ": " + std::string(kSdistSkipped));
  }
  if (auto it = by_name_.find(name); it != by_name_.end()) {
    for (const Wheel& w : it->second) {
      if (!target_.tags.best_rank(w.parsed.tags))
        out.push_back(w.filename + ": " + std::string(kTagsSkipped));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<python::Requirement>> FindLinksSource::dependencies(
    const resolve::Candidate& c) {
  auto parsed = python::WheelFilename::parse(c.filename);
  if (!parsed.ok()) return parsed.status().with_context("reading dependencies of " + c.display());
  IGNITE_ASSIGN_OR_RETURN(const CoreMetadata* md, metadata(c.filename, *parsed));
  return md->requires_dist;
}

Result<LocalWheel> FindLinksSource::fetch(const resolve::Candidate& c) {
  const std::string path = dir_ + "/" + c.filename;
  IGNITE_ASSIGN_OR_RETURN(std::string bytes, read_file(path));
  std::string digest = sha256_hex(bytes);
  if (!c.sha256.empty() && c.sha256 != digest) {
    return data_loss("reading wheel " + path + ": sha256 mismatch: expected " + c.sha256 +
                     ", the file has " + digest);
  }
  return LocalWheel{path, std::move(digest)};
}

}  // namespace ignite::index
