#include "builder/index/multi_source.h"

namespace ignite::index {

MultiSource::MultiSource(std::vector<std::unique_ptr<WheelSource>> sources, TargetSelection target)
    : sources_(std::move(sources)), target_(std::move(target)) {}

std::string MultiSource::describe() const {
  if (sources_.empty()) return "no package source";
  std::string out;
  for (const auto& s : sources_) {
    if (!out.empty()) out += ", ";
    out += s->describe();
  }
  return out;
}

std::vector<std::string> MultiSource::unusable_files(std::string_view canonical_name) {
  std::vector<std::string> out;
  for (const auto& s : sources_) {
    for (std::string& u : s->unusable_files(canonical_name)) {
      out.push_back(sources_.size() > 1 ? s->describe() + ": " + u : u);
    }
  }
  return out;
}

Result<std::vector<resolve::Candidate>> MultiSource::candidates(std::string_view canonical_name) {
  std::vector<FileOption> options;
  std::vector<std::size_t> from;
  for (std::size_t s = 0; s < sources_.size(); ++s) {
    IGNITE_ASSIGN_OR_RETURN(std::vector<resolve::Candidate> found,
                            sources_[s]->candidates(canonical_name));
    for (resolve::Candidate& c : found) {
      auto wheel = python::WheelFilename::parse(c.filename);
      if (!wheel.ok()) continue;
      options.push_back(FileOption{std::move(*wheel), std::move(c)});
      from.push_back(s);
    }
  }
  std::vector<resolve::Candidate> out;
  for (std::size_t i : choose_files(options, target_)) {
    owner_[options[i].candidate.url] = from[i];
    out.push_back(std::move(options[i].candidate));
  }
  return out;
}

Result<WheelSource*> MultiSource::owner(const resolve::Candidate& c, std::string_view what) {
  auto it = owner_.find(c.url);
  if (it == owner_.end()) {
    return failed_precondition(std::string(what) + " " + c.display() + ": " + c.url +
                               " came from none of " + describe());
  }
  return sources_[it->second].get();
}

Result<std::vector<python::Requirement>> MultiSource::dependencies(const resolve::Candidate& c) {
  IGNITE_ASSIGN_OR_RETURN(WheelSource * source, owner(c, "reading the dependencies of"));
  return source->dependencies(c);
}

Result<LocalWheel> MultiSource::fetch(const resolve::Candidate& c) {
  IGNITE_ASSIGN_OR_RETURN(WheelSource * source, owner(c, "fetching"));
  return source->fetch(c);
}

std::string MultiSource::index_of(const resolve::Candidate& c) const {
  auto it = owner_.find(c.url);
  return it == owner_.end() ? "" : sources_[it->second]->index_of(c);
}

}  // namespace ignite::index
