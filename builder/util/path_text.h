// Slash-separated relative paths as text: the paths inside a source tree, an image layer, a
// wheel or a dependency tree, which the builder checks and walks component by component
// (never through the file system's own path resolution, which would follow symlinks).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ignite {

// Every component between slashes, empty ones included: "a//b" -> {"a", "", "b"},
// "a/" -> {"a", ""}, "" -> {""}. Callers that refuse empty components see them.
std::vector<std::string> split_path(std::string_view path);

// The text before the last slash, "" when there is none: "a/b/c" -> "a/b", "a" -> "".
std::string path_parent(std::string_view path);

// The text after the last slash, all of it when there is none: "a/b/c" -> "c".
std::string path_base(std::string_view path);

// dir + "/" + name, or name alone when dir is "".
std::string join_path(std::string_view dir, std::string_view name);

}  // namespace ignite
