#include <gtest/gtest.h>

#include "builder/index/core_metadata.h"
#include "builder/index/wheel_metadata.h"
#include "tests/testing/archive_writer.h"

namespace ignite::index {
namespace {

const std::string kWheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";

TEST(CoreMetadataTest, ReadsTheFieldsTheResolverNeeds) {
  const std::string text =
      "Metadata-Version: 2.1\r\nName: Demo_Pkg\r\nVersion: 1.0.0\r\n"
      "Requires-Python: >=3.9\r\nRequires-Dist: six>=1.5\r\n"
      "Requires-Dist: rich ;\r\n  extra == 'cli'\r\nProvides-Extra: cli\r\n\r\n"
      "Requires-Dist: not-a-header-but-the-description\r\n";
  auto md = parse_core_metadata(text, "metadata of demo");
  ASSERT_TRUE(md.ok()) << md.status().message();
  EXPECT_EQ(md->name, "Demo_Pkg");
  EXPECT_EQ(md->version.to_string(), "1.0.0");
  ASSERT_TRUE(md->requires_python.has_value());
  EXPECT_EQ(md->requires_python->to_string(), ">=3.9");
  ASSERT_EQ(md->requires_dist.size(), 2u);
  EXPECT_EQ(md->requires_dist[0].to_string(), "six>=1.5");
  EXPECT_EQ(md->requires_dist[1].to_string(), "rich; extra == \"cli\"");
  EXPECT_EQ(md->provides_extra, std::vector<std::string>{"cli"});
}

TEST(CoreMetadataTest, NamesTheFieldThatIsWrong) {
  auto no_version = parse_core_metadata("Name: x\n", "metadata of x.whl");
  EXPECT_EQ(no_version.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(no_version.status().message(), "reading metadata of x.whl: no Version field");
  auto bad_dep =
      parse_core_metadata("Name: x\nVersion: 1\nRequires-Dist: a b\n", "metadata of x.whl");
  ASSERT_FALSE(bad_dep.ok());
  EXPECT_TRUE(
      bad_dep.status().message().starts_with("reading metadata of x.whl: Requires-Dist 'a b': "))
      << bad_dep.status().message();
}

TEST(WheelMetadataTest, ReadsMetadataFromARealWheel) {
  auto text = read_wheel_metadata(kWheelhouse + "/flask-3.1.3-py3-none-any.whl", "flask");
  ASSERT_TRUE(text.ok()) << text.status().message();
  auto md = parse_core_metadata(*text, "flask");
  ASSERT_TRUE(md.ok());
  EXPECT_EQ(md->name, "Flask");
  EXPECT_EQ(md->requires_dist.size(), 9u);
}

TEST(WheelMetadataTest, RefusesWheelsWithoutMatchingMetadata) {
  using testing::TestEntry;
  const std::string zip = testing::write_archive(
      testing::ArchiveFormat::kZip,
      {TestEntry::file("other-1.0.dist-info/METADATA", "Name: other\nVersion: 1.0\n")});
  auto text = read_wheel_metadata_bytes(zip, "demo", "demo-1.0-py3-none-any.whl");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), Code::kDataLoss);
  EXPECT_EQ(text.status().message(),
            "reading wheel demo-1.0-py3-none-any.whl: no demo-*.dist-info/METADATA at the top of "
            "the wheel");
  auto not_zip = read_wheel_metadata_bytes("plain text", "demo", "demo.whl");
  EXPECT_EQ(not_zip.status().code(), Code::kDataLoss);
  auto missing = read_wheel_metadata("/nonexistent/demo-1.0-py3-none-any.whl", "demo");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace ignite::index
