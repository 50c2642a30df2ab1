// A flat directory of wheels (pip's --find-links DIR): every "*.whl" directly inside it.
// File names give the project, version and tags; each wheel's METADATA (read from the zip)
// gives Requires-Python and Requires-Dist, and must agree with the file name. Files that
// are not wheels, and wheels whose names do not parse, are ignored, as pip ignores them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "builder/index/core_metadata.h"
#include "builder/index/file_choice.h"
#include "builder/index/wheel_source.h"

namespace ignite::index {

class FindLinksSource final : public WheelSource {
 public:
  // `dir` is made absolute; it is read on first use.
  FindLinksSource(std::string dir, TargetSelection target);

  Result<std::vector<resolve::Candidate>> candidates(std::string_view canonical_name) override;
  Result<std::vector<python::Requirement>> dependencies(const resolve::Candidate& c) override;
  std::string describe() const override { return "find-links " + dir_; }
  Result<LocalWheel> fetch(const resolve::Candidate& c) override;
  std::string index_of(const resolve::Candidate&) const override { return ""; }
  std::vector<std::string> unusable_files(std::string_view canonical_name) override;

 private:
  Status scan();
  Result<const CoreMetadata*> metadata(const std::string& filename, const python::WheelFilename& w);

  std::string dir_;
  TargetSelection target_;
  bool scanned_ = false;
  struct Wheel {
    std::string filename;
    python::WheelFilename parsed;
  };
  std::map<std::string, std::vector<Wheel>> by_name_;  // by canonical name, sorted by file name
  std::map<std::string, CoreMetadata> metadata_;       // by file name
  std::map<std::string, std::vector<std::string>> sdists_;  // by canonical name: file names
};

// "file:///dir/name.whl" with unsafe characters percent-encoded.
std::string file_url(const std::string& absolute_path);

}  // namespace ignite::index
