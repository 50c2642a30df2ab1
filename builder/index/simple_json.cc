// PEP 691 JSON project pages.
#include <nlohmann/json.hpp>

#include "builder/index/simple_page.h"
#include "builder/index/simple_page_internal.h"

namespace ignite::index {
namespace {

using nlohmann::json;

std::map<std::string, std::string> read_hashes(const json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (const auto& [algo, value] : j.items()) {
    if (value.is_string() && internal::is_hex(value.get<std::string>())) {
      out[internal::lower_hex(algo)] = internal::lower_hex(value.get<std::string>());
    }
  }
  return out;
}

// "core-metadata" (PEP 714) or the older "dist-info-metadata": false, true or hashes.
void read_metadata_flag(const json& entry, IndexFile& file) {
  for (const char* key : {"core-metadata", "dist-info-metadata"}) {
    auto it = entry.find(key);
    if (it == entry.end()) continue;
    if (it->is_boolean()) {
      file.has_metadata = it->get<bool>();
    } else if (it->is_object()) {
      file.has_metadata = true;
      file.metadata_hashes = read_hashes(*it);
    }
    return;  // the newer key wins when both are present
  }
}

}  // namespace

Result<std::vector<IndexFile>> parse_simple_json(std::string_view body, const Url& page_url) {
  const std::string where = "reading index page " + page_url.to_string();
  json page = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (page.is_discarded() || !page.is_object()) {
    return data_loss(where + ": not a JSON object");
  }
  auto meta = page.find("meta");
  if (meta != page.end() && meta->is_object()) {
    auto version = meta->find("api-version");
    if (version != meta->end() && version->is_string() &&
        !version->get<std::string>().starts_with("1.")) {
      return failed_precondition(where + ": unsupported api-version " +
                                 version->get<std::string>() +
                                 " (PEP 691 version 1.x is understood)");
    }
  }
  auto files = page.find("files");
  if (files == page.end() || !files->is_array()) return data_loss(where + ": no \"files\" array");
  std::vector<IndexFile> out;
  for (const json& entry : *files) {
    if (!entry.is_object()) continue;
    auto url = entry.find("url");
    if (url == entry.end() || !url->is_string()) continue;
    auto file = internal::make_file(page_url, url->get<std::string>());
    if (!file) continue;
    auto filename = entry.find("filename");
    if (filename != entry.end() && filename->is_string() && !filename->get<std::string>().empty()) {
      file->filename = filename->get<std::string>();
    }
    if (auto h = entry.find("hashes"); h != entry.end()) {
      for (auto& [algo, hex] : read_hashes(*h)) file->hashes[algo] = hex;
    }
    if (auto rp = entry.find("requires-python"); rp != entry.end() && rp->is_string()) {
      file->requires_python = rp->get<std::string>();
    }
    if (auto y = entry.find("yanked"); y != entry.end()) {
      if (y->is_boolean()) {
        file->yanked = y->get<bool>();
      } else if (y->is_string()) {
        file->yanked = true;
        file->yanked_reason = y->get<std::string>();
      }
    }
    read_metadata_flag(entry, *file);
    out.push_back(std::move(*file));
  }
  return out;
}

}  // namespace ignite::index
