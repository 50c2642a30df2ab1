#include "tests/attest/attest_testing.h"

#include <gtest/gtest.h>

namespace ignite::testing {

std::string repeat_text(const std::string& text, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += text;
  return out;
}

void mutate_json(nlohmann::json& doc, const std::string& pointer, const nlohmann::json& value) {
  const nlohmann::json::json_pointer at(pointer);
  if (!value.is_null()) {
    doc[at] = value;
    return;
  }
  nlohmann::json& parent = doc.at(at.parent_pointer());
  if (parent.is_array()) {
    const std::size_t index = std::stoul(at.back());
    ASSERT_LT(index, parent.size()) << pointer;
    parent.erase(index);
  } else {
    EXPECT_EQ(parent.erase(at.back()), 1u) << pointer;
  }
}

}  // namespace ignite::testing
