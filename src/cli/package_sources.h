// The package-source flags `lock` and `build` share, named as pip names them:
//   -f/--find-links DIR|URL (repeatable), -i/--index-url URL, --extra-index-url URL
//   (repeatable), --no-index, --refresh.
#pragma once

#include <string>
#include <vector>

#include "builder/index/lock_requirements.h"
#include "src/cli/args.h"

namespace ignite::cli {

inline const FlagSpec kIndexUrlFlag{"--index-url", "-i", true};
inline const FlagSpec kNoIndexFlag{"--no-index", "", false};
inline const FlagSpec kRefreshFlag{"--refresh", "", false};

inline constexpr const char* kPackageSourcesUsage =
    "  -f, --find-links DIR|URL  a directory of wheels, or a page linking to wheels (repeatable)\n"
    "  -i, --index-url URL       the PEP 503/691 index (default https://pypi.org/simple/);\n"
    "                            credentials as https://user:token@host/... or in ~/.netrc\n"
    "  --extra-index-url URL     another index (repeatable)\n"
    "  --no-index                ask no index, only --find-links\n"
    "  --refresh                 resolve again even when a cached lock exists, and replace it\n";

// The flags that may be given more than once, taken out of argv before Args parses the rest.
struct RepeatedSources {
  std::vector<std::string> find_links;
  std::vector<std::string> extra_index_urls;
};

// The rest of argv; INVALID_ARGUMENT when a repeated flag lacks its value. Stops at "--".
Result<std::vector<std::string>> take_repeated_sources(const std::vector<std::string>& argv,
                                                       RepeatedSources& out);

index::SourceOptions source_options(const Args& args, const RepeatedSources& repeated);

}  // namespace ignite::cli
