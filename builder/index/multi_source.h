// Several sources seen as one, as pip's finder sees --index-url, each --extra-index-url
// and each --find-links together: the candidates of a project are the files of all of
// them, and each version's file is chosen again across sources (file_choice.h), an
// earlier source winning a tie. No source is trusted more than another: like pip, a
// project found on two indexes may take its version from either (use one index, or pin
// with --hash, when that matters).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "builder/index/file_choice.h"
#include "builder/index/wheel_source.h"

namespace ignite::index {

class MultiSource final : public WheelSource {
 public:
  MultiSource(std::vector<std::unique_ptr<WheelSource>> sources, TargetSelection target);

  Result<std::vector<resolve::Candidate>> candidates(std::string_view canonical_name) override;
  Result<std::vector<python::Requirement>> dependencies(const resolve::Candidate& c) override;
  // "index https://a/simple/, find-links /wheels"; "no package source" when empty.
  std::string describe() const override;
  std::vector<std::string> unusable_files(std::string_view canonical_name) override;
  Result<LocalWheel> fetch(const resolve::Candidate& c) override;
  std::string index_of(const resolve::Candidate& c) const override;

 private:
  Result<WheelSource*> owner(const resolve::Candidate& c, std::string_view what);

  std::vector<std::unique_ptr<WheelSource>> sources_;
  TargetSelection target_;
  std::map<std::string, std::size_t> owner_;  // candidate URL -> index into sources_
};

}  // namespace ignite::index
