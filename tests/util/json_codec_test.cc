// The accessors added for the attestations; the OCI documents' use of the rest is tested with
// them (tests/oci/).
#include "builder/util/json_codec.h"

#include <gtest/gtest.h>

namespace ignite {
namespace {

TEST(JsonCodecTest, ObjectAndArrayMembers) {
  const Json j = Json::parse(R"({"o":{"k":1},"a":[1,2],"n":null,"s":"x"})");
  auto o = json_object(j, "o", "doc");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ((**o)["k"], 1);
  auto a = json_array(j, "a", "doc");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->size(), 2u);
  EXPECT_EQ(json_object(j, "a", "doc").status().message(), "doc: field \"a\" is not an object");
  EXPECT_EQ(json_array(j, "o", "doc").status().message(), "doc: field \"o\" is not an array");
  EXPECT_EQ(json_object(j, "n", "doc").status().message(), "doc: field \"n\" is missing");
  EXPECT_EQ(json_array(j, "z", "doc").status().message(), "doc: field \"z\" is missing");
}

TEST(JsonCodecTest, ExpectString) {
  const Json j = Json::parse(R"({"v":"SPDX-2.2","n":2})");
  EXPECT_TRUE(json_expect_string(j, "v", "SPDX-2.2", "doc").ok());
  const Status other = json_expect_string(j, "v", "SPDX-2.3", "doc");
  EXPECT_EQ(other.code(), Code::kInvalidArgument);
  EXPECT_EQ(other.message(), "doc: field \"v\" is \"SPDX-2.2\", not SPDX-2.3");
  EXPECT_EQ(json_expect_string(j, "n", "2", "doc").message(), "doc: field \"n\" is not a string");
}

TEST(JsonCodecTest, LossyWritingReplacesWhatIsNotUtf8) {
  const Json j = {{"a", std::string("ok \xff")}, {"b", "caf\xc3\xa9"}};
  EXPECT_FALSE(canonical_json(j).ok());
  EXPECT_EQ(canonical_json_lossy(j), "{\"a\":\"ok \xef\xbf\xbd\",\"b\":\"caf\xc3\xa9\"}");
  const Json fine = {{"b", 1}, {"a", "x"}};
  EXPECT_EQ(canonical_json_lossy(fine), *canonical_json(fine));
}

}  // namespace
}  // namespace ignite
