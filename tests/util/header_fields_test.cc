#include "builder/util/header_fields.h"

#include <gtest/gtest.h>

namespace ignite {
namespace {

std::vector<std::string> rendered(const std::vector<HeaderField>& fields) {
  std::vector<std::string> out;
  for (const HeaderField& f : fields) {
    out.push_back(std::to_string(f.line) + " " + f.name + "=" + f.value);
  }
  return out;
}

TEST(HeaderFieldsTest, ReadsOneBlockWithFoldedValues) {
  const auto fields = read_header_block(
      "Name: flask\r\nSummary:  A simple framework \nLicense: line one\n"
      "        line two\n\t|\n no colon here\nKeywords:\n\nBody: not a field\n");
  EXPECT_EQ(rendered(fields), (std::vector<std::string>{
                                  "1 Name=flask", "2 Summary=A simple framework",
                                  "3 License=line one line two | no colon here", "7 Keywords="}));
}

TEST(HeaderFieldsTest, SkipsWhatIsNoField) {
  EXPECT_TRUE(read_header_block("").empty());
  EXPECT_TRUE(read_header_block("\nName: x\n").empty());  // all body
  EXPECT_EQ(rendered(read_header_block(" continued\nnot a field\nA: b")),
            (std::vector<std::string>{"3 A=b"}));
}

TEST(HeaderFieldsTest, SplitsBlocksAtEmptyLines) {
  const auto blocks = read_header_blocks(
      "\n\nPackage: a\nVersion: 1\n\n\n\nPackage: b\r\n\r\n"
      "Package: c\n Description continued\n");
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].first_line, 3u);
  EXPECT_EQ(rendered(blocks[0].fields), (std::vector<std::string>{"3 Package=a", "4 Version=1"}));
  EXPECT_EQ(blocks[1].first_line, 8u);
  EXPECT_EQ(rendered(blocks[2].fields),
            (std::vector<std::string>{"10 Package=c Description continued"}));
  EXPECT_TRUE(read_header_blocks("\n\n").empty());
}

TEST(HeaderFieldsTest, FindsFieldsWithoutRegardToCase) {
  const auto fields = read_header_block("license: MIT\nLICENSE: BSD\nName: x\n");
  ASSERT_NE(find_header(fields, "License"), nullptr);
  EXPECT_EQ(find_header(fields, "License")->value, "MIT");
  EXPECT_EQ(find_header(fields, "Licens"), nullptr);
  EXPECT_TRUE(same_header_name("Requires-Dist", "requires-dist"));
  EXPECT_FALSE(same_header_name("Name", "Names"));
}

}  // namespace
}  // namespace ignite
