// The first difference of two JSON documents, as verify --rebuild names a differing config or
// manifest.
#include "builder/verify/json_difference.h"

#include <gtest/gtest.h>

namespace ignite::verify {
namespace {

using Json = nlohmann::json;

TEST(JsonDifferenceTest, EqualDocumentsHaveNone) {
  const Json a = Json::parse(R"({"config": {"Env": ["A=1"]}, "os": "linux"})");
  EXPECT_EQ(first_json_difference(a, a, "config"), std::nullopt);
}

TEST(JsonDifferenceTest, NamesThePathOfTheFirstDifferenceInKeyOrder) {
  const Json a = Json::parse(R"({"b": 1, "config": {"Env": ["A=1", "PORT=8080"]}, "os": "linux"})");
  const Json b = Json::parse(R"({"b": 1, "config": {"Env": ["A=1", "PORT=9090"]}, "os": "plan9"})");
  EXPECT_EQ(first_json_difference(a, b, "config"),
            R"(config.config.Env[1]: "PORT=8080" != "PORT=9090")");
}

TEST(JsonDifferenceTest, QuotesKeysThatAreNotPlainNames) {
  const Json a = Json::parse(R"({"Labels": {"dev.ignite.code-hash": "sha256:a"}})");
  const Json b = Json::parse(R"({"Labels": {"dev.ignite.code-hash": "sha256:b"}})");
  EXPECT_EQ(first_json_difference(a, b, "config"),
            R"(config.Labels["dev.ignite.code-hash"]: "sha256:a" != "sha256:b")");
}

TEST(JsonDifferenceTest, AMemberOnOneSideOnlyIsAbsentOnTheOther) {
  const Json a = Json::parse(R"({"a": 1, "c": 3})");
  const Json b = Json::parse(R"({"a": 1, "b": 2, "c": 3})");
  EXPECT_EQ(first_json_difference(a, b, "m"), "m.b: absent != 2");
  EXPECT_EQ(first_json_difference(b, a, "m"), "m.b: 2 != absent");
}

TEST(JsonDifferenceTest, ArraysOfOtherLengthsAndOtherTypes) {
  EXPECT_EQ(first_json_difference(Json::parse("[1, 2]"), Json::parse("[1, 2, 3]"), "h"),
            "h: 2 elements != 3");
  EXPECT_EQ(first_json_difference(Json::parse("[1]"), Json::parse(R"({"a": 1})"), "h"),
            R"(h: [1] != {"a":1})");
}

TEST(JsonDifferenceTest, LongValuesAreShortened) {
  const Json a = std::string(500, 'x');
  const Json b = std::string(500, 'y');
  const auto d = first_json_difference(a, b, "v");
  ASSERT_TRUE(d.has_value());
  EXPECT_LT(d->size(), 450u);
  EXPECT_NE(d->find("…"), std::string::npos);
}

}  // namespace
}  // namespace ignite::verify
