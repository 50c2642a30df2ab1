// Helpers shared by the attestation format tests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ignite::testing {

// `text` `n` times: a fake hex digest ("e1" 32 times).
std::string repeat_text(const std::string& text, int n);

// Changes `doc` at the JSON pointer `pointer`: removes the member (or array element) when
// `value` is null, else sets it (adding it where it is not there: "/subject/1" appends).
// Fails the test when there is nothing to remove.
void mutate_json(nlohmann::json& doc, const std::string& pointer, const nlohmann::json& value);

}  // namespace ignite::testing
