// The first place two JSON documents differ, for a report: when a rebuilt image's config or
// manifest is not the recorded one, the auditor is shown which field, not two digests.
//
//   first_json_difference(recorded_config, rebuilt_config, "config")
//     -> "config.config.Env[3]: \"PORT=8080\" != \"PORT=9090\""
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace ignite::verify {

// nullopt when `expected` and `actual` are equal. Otherwise the path of the first difference
// (object keys in sorted order, array elements by index; `root` names the top) and both values,
// each shortened to about 200 bytes: "PATH: EXPECTED != ACTUAL"; a member only one side has is
// "PATH: absent != VALUE" (or the reverse).
std::optional<std::string> first_json_difference(const nlohmann::json& expected,
                                                 const nlohmann::json& actual,
                                                 const std::string& root);

}  // namespace ignite::verify
