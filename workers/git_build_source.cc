#include "workers/git_build_source.h"

#include <nlohmann/json.hpp>

namespace ignite::workers {

std::string git_source_document(const git::GitSource& source) {
  // nlohmann's object keeps its keys sorted: the same request, the same bytes.
  return nlohmann::json{{"url", source.url}, {"ref", source.ref}, {"subdir", source.subdir}}.dump();
}

Result<git::GitSource> parse_git_source_document(std::string_view bytes) {
  const auto j = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  const auto text = [&j](const char* key) -> const std::string* {
    if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return nullptr;
    return j[key].get_ptr<const std::string*>();
  };
  const std::string* url = text("url");
  const std::string* ref = text("ref");
  const std::string* subdir = text("subdir");
  if (url == nullptr || ref == nullptr || subdir == nullptr) {
    return data_loss("a git build's kept source is not the {url, ref, subdir} it was submitted as");
  }
  return git::GitSource{*url, *ref, *subdir};
}

}  // namespace ignite::workers
