// Pieces shared by the JSON and HTML readers of simple_page.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "builder/index/simple_page.h"

namespace ignite::index::internal {

std::string lower_hex(std::string_view hex);
bool is_hex(std::string_view s);

// A file linked from `page_url` by `href`, with a "#sha256=..." fragment taken as its
// hash. nullopt for a link that does not resolve or names no file.
std::optional<IndexFile> make_file(const Url& page_url, std::string_view href);

}  // namespace ignite::index::internal
