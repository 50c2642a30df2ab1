#include "builder/resolve/in_memory_index.h"

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <utility>

#include "builder/python/names.h"
#include "builder/util/file_io.h"

namespace ignite::resolve {
namespace {

using Json = nlohmann::json;

// One version's object from the JSON file; `where` names it in errors.
Result<Release> release_from_json(const Json& value, std::string version,
                                  const std::function<std::string()>& where) {
  if (!value.is_object()) return invalid_argument(where() + ": not a JSON object");
  Release release{std::move(version), {}, "", false};
  if (auto it = value.find("dependencies"); it != value.end() && !it->is_null()) {
    // One vector release has "dependencies": {}; Python iterates it as no dependencies.
    const bool empty_object = it->is_object() && it->empty();
    if (!it->is_array() && !empty_object) {
      return invalid_argument(where() + ": \"dependencies\" is not an array");
    }
    for (const Json& dep : *it) {
      if (!dep.is_string()) {
        return invalid_argument(where() + ": \"dependencies\" holds a value that is no string");
      }
      release.dependencies.push_back(dep.get<std::string>());
    }
  }
  if (auto it = value.find("requires_python"); it != value.end() && !it->is_null()) {
    if (!it->is_string()) return invalid_argument(where() + ": \"requires_python\" is no string");
    release.requires_python = it->get<std::string>();
  }
  if (auto it = value.find("yanked"); it != value.end() && !it->is_null()) {
    if (!it->is_boolean()) return invalid_argument(where() + ": \"yanked\" is no boolean");
    release.yanked = it->get<bool>();
  }
  return release;
}

}  // namespace

Result<InMemoryIndex> InMemoryIndex::from_json(std::string_view json_text, std::string name) {
  InMemoryIndex index(std::move(name));
  const std::string what = "loading " + index.describe();
  Json root = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return invalid_argument(what + ": not valid JSON");
  if (!root.is_object()) return invalid_argument(what + ": the top level is no JSON object");
  for (const auto& project : root.items()) {
    if (!project.value().is_object()) continue;  // comments ("#": ...) and the like
    Result<std::string> canonical = python::canonicalize_valid_name(project.key());
    if (!canonical.ok()) return canonical.status().with_context(what);
    for (const auto& version : project.value().items()) {
      Result<python::Version> parsed = python::Version::parse(version.key());
      if (!parsed.ok()) {
        ++index.skipped_versions_;
        continue;
      }
      auto where = [&] { return what + ": " + project.key() + " " + version.key(); };
      IGNITE_ASSIGN_OR_RETURN(Release release,
                              release_from_json(version.value(), version.key(), where));
      Status added = index.add_parsed(*canonical, std::move(*parsed), std::move(release));
      if (!added.ok()) return added.with_context(what);
    }
  }
  return index;
}

Result<InMemoryIndex> InMemoryIndex::load(const std::string& path) {
  IGNITE_ASSIGN_OR_RETURN(std::string text, read_file(path));
  return from_json(text, std::filesystem::path(path).stem().string());
}

Status InMemoryIndex::add(std::string_view project, Release release) {
  Result<std::string> name = python::canonicalize_valid_name(project);
  if (!name.ok()) return name.status();
  Result<python::Version> version = python::Version::parse(release.version);
  if (!version.ok()) return version.status().with_context(*name);
  return add_parsed(*name, std::move(*version), std::move(release));
}

Status InMemoryIndex::add_parsed(const std::string& name, python::Version version,
                                 Release release) {
  std::optional<python::SpecifierSet> requires_python;
  if (!release.requires_python.empty()) {
    Result<python::SpecifierSet> set = python::SpecifierSet::parse(release.requires_python);
    if (!set.ok()) {
      return set.status().with_context(name + " " + release.version + ": requires_python");
    }
    requires_python = std::move(*set);
  }
  Project& known = projects_[name];
  if (!known.by_version.emplace(python::canonicalize_version(version), known.entries.size())
           .second) {
    return already_exists(name + " " + release.version + ": the project has this version already");
  }
  Candidate candidate{
      name, std::move(version), "", "", "", std::move(requires_python), release.yanked, ""};
  known.entries.push_back(Entry{std::move(candidate), std::move(release.dependencies)});
  return ok_status();
}

const InMemoryIndex::Entry* InMemoryIndex::find(std::string_view canonical_name,
                                                const python::Version& version) const {
  // canonicalize_version drops trailing zeros, so "1.0" and "1.0.0" (equal versions) meet.
  auto project = projects_.find(canonical_name);
  if (project == projects_.end()) return nullptr;
  auto it = project->second.by_version.find(python::canonicalize_version(version));
  return it == project->second.by_version.end() ? nullptr : &project->second.entries[it->second];
}

Result<std::vector<Candidate>> InMemoryIndex::candidates(std::string_view canonical_name) {
  std::vector<Candidate> out;
  auto it = projects_.find(canonical_name);
  if (it == projects_.end()) return out;
  out.reserve(it->second.entries.size());
  for (const Entry& entry : it->second.entries) out.push_back(entry.candidate);
  return out;
}

Result<std::vector<python::Requirement>> InMemoryIndex::dependencies(const Candidate& candidate) {
  const Entry* entry = find(candidate.name, candidate.version);
  if (entry == nullptr) {
    return not_found("reading dependencies of " + candidate.display() + " from " + describe() +
                     ": no such version");
  }
  std::vector<python::Requirement> out;
  out.reserve(entry->dependencies.size());
  for (const std::string& text : entry->dependencies) {
    Result<python::Requirement> parsed = python::Requirement::parse(text);
    if (!parsed.ok()) {
      return data_loss("reading dependencies of " + candidate.display() + " from " + describe() +
                       ": " + parsed.status().message());
    }
    out.push_back(std::move(*parsed));
  }
  return out;
}

std::size_t InMemoryIndex::version_count() const {
  std::size_t n = 0;
  for (const auto& [name, project] : projects_) n += project.entries.size();
  return n;
}

}  // namespace ignite::resolve
