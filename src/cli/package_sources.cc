#include "src/cli/package_sources.h"

#include <utility>

namespace ignite::cli {

Result<std::vector<std::string>> take_repeated_sources(const std::vector<std::string>& argv,
                                                       RepeatedSources& out) {
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    std::vector<std::string>* list = nullptr;
    std::string name;
    std::optional<std::string> inline_value;
    for (const auto& [flag, target] :
         {std::pair{std::string("--find-links"), &out.find_links},
          std::pair{std::string("-f"), &out.find_links},
          std::pair{std::string("--extra-index-url"), &out.extra_index_urls}}) {
      if (a == flag) {
        list = target;
        name = flag;
      } else if (flag.starts_with("--") && a.starts_with(flag + "=")) {
        list = target;
        name = flag;
        inline_value = a.substr(flag.size() + 1);
      }
    }
    if (list == nullptr) {
      rest.push_back(a);
      if (a == "--") {
        rest.insert(rest.end(), argv.begin() + static_cast<long>(i) + 1, argv.end());
        break;
      }
      continue;
    }
    if (inline_value) {
      list->push_back(*inline_value);
    } else if (i + 1 < argv.size()) {
      list->push_back(argv[++i]);
    } else {
      return invalid_argument("option " + name + " needs a value");
    }
  }
  return rest;
}

index::SourceOptions source_options(const Args& args, const RepeatedSources& repeated) {
  index::SourceOptions sources;
  sources.index_url = args.value(kIndexUrlFlag.name);
  sources.extra_index_urls = repeated.extra_index_urls;
  sources.find_links = repeated.find_links;
  sources.no_index = args.has(kNoIndexFlag.name);
  return sources;
}

}  // namespace ignite::cli
