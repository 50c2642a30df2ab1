#include "builder/index/find_links_source.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "builder/index/multi_source.h"
#include "builder/util/sha256.h"
#include "tests/index/wheel_testing.h"
#include "tests/testing/temp_dir.h"

namespace ignite::index {
namespace {

const std::string kWheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";

TEST(FindLinksSourceTest, OffersTheWheelhouseWheels) {
  FindLinksSource source(kWheelhouse, TargetSelection::image_default());
  auto flask = source.candidates("flask");
  ASSERT_TRUE(flask.ok()) << flask.status().message();
  ASSERT_EQ(flask->size(), 1u);
  const resolve::Candidate& c = (*flask)[0];
  EXPECT_EQ(c.display(), "flask 3.1.3");
  EXPECT_EQ(c.filename, "flask-3.1.3-py3-none-any.whl");
  EXPECT_EQ(c.url, file_url(std::filesystem::path(kWheelhouse).lexically_normal().string() +
                            "/flask-3.1.3-py3-none-any.whl"));
  ASSERT_TRUE(c.requires_python.has_value());
  EXPECT_EQ(c.requires_python->to_string(), ">=3.9");
  auto deps = source.dependencies(c);
  ASSERT_TRUE(deps.ok()) << deps.status().message();
  EXPECT_EQ(deps->size(), 9u);
  EXPECT_EQ((*deps)[0].to_string(), "blinker>=1.9.0");
  auto unknown = source.candidates("no-such-project");
  ASSERT_TRUE(unknown.ok());
  EXPECT_TRUE(unknown->empty());
  auto wheel = source.fetch(c);
  ASSERT_TRUE(wheel.ok());
  EXPECT_EQ(wheel->sha256, "60be4fef4950749433be2c795b68a3b303b0e6d9546c156367013593ccf1d66a");
}

TEST(FindLinksSourceTest, LeavesOutWheelsForOtherPlatforms) {
  testing::TempDir dir;
  testing::write_wheel(dir.path(), "demo", "1.0");
  dir.write("demo-2.0-cp312-cp312-win_amd64.whl", testing::make_wheel("demo", "2.0"));
  dir.write("not-a-wheel.txt", "x");
  dir.write("bad_name.whl", "x");
  FindLinksSource source(dir.path(), TargetSelection::image_default());
  auto demo = source.candidates("demo");
  ASSERT_TRUE(demo.ok()) << demo.status().message();
  ASSERT_EQ(demo->size(), 1u);
  EXPECT_EQ((*demo)[0].display(), "demo 1.0");
}

TEST(FindLinksSourceTest, KeepsRequiresPythonForTheResolverToExplain) {
  testing::TempDir dir;
  testing::write_wheel(dir.path(), "demo", "2.0", ">=3.12");
  FindLinksSource source(dir.path(), TargetSelection::image_default());
  auto demo = source.candidates("demo");
  ASSERT_TRUE(demo.ok());
  ASSERT_EQ(demo->size(), 1u);
  EXPECT_EQ((*demo)[0].requires_python->to_string(), ">=3.12");
}

TEST(FindLinksSourceTest, RefusesMetadataThatDisagreesWithTheFileName) {
  testing::TempDir dir;
  dir.write("demo-1.0-py3-none-any.whl", testing::make_wheel("demo", "1.1"));
  FindLinksSource source(dir.path(), TargetSelection::image_default());
  auto demo = source.candidates("demo");
  ASSERT_FALSE(demo.ok());
  EXPECT_EQ(demo.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(demo.status().message(), "reading " + dir.path() +
                                         "/demo-1.0-py3-none-any.whl: its metadata names demo 1.1, "
                                         "not what the file name says (demo 1.0)");
}

TEST(FindLinksSourceTest, MissingDirectoryIsNotFound) {
  FindLinksSource source("/nonexistent/wheels", TargetSelection::image_default());
  auto c = source.candidates("flask");
  EXPECT_EQ(c.status().code(), Code::kNotFound);
  EXPECT_EQ(c.status().message(),
            "reading find-links directory /nonexistent/wheels: no such directory");
}

TEST(MultiSourceTest, CombinesSourcesAndPicksOneFilePerVersion) {
  testing::TempDir a;
  testing::TempDir b;
  testing::write_wheel(a.path(), "demo", "1.0");
  testing::write_wheel(b.path(), "demo", "1.0");
  testing::write_wheel(b.path(), "demo", "2.0");
  std::vector<std::unique_ptr<WheelSource>> sources;
  sources.push_back(std::make_unique<FindLinksSource>(a.path(), TargetSelection::image_default()));
  sources.push_back(std::make_unique<FindLinksSource>(b.path(), TargetSelection::image_default()));
  MultiSource all(std::move(sources), TargetSelection::image_default());
  EXPECT_EQ(all.describe(), "find-links " + a.path() + ", find-links " + b.path());
  auto demo = all.candidates("demo");
  ASSERT_TRUE(demo.ok());
  ASSERT_EQ(demo->size(), 2u);
  EXPECT_EQ((*demo)[0].url,
            file_url(a.path() + "/demo-1.0-py3-none-any.whl"));  // the earlier source
  EXPECT_EQ((*demo)[1].url, file_url(b.path() + "/demo-2.0-py3-none-any.whl"));
  auto deps = all.dependencies((*demo)[1]);
  ASSERT_TRUE(deps.ok());
  EXPECT_TRUE(deps->empty());
}

}  // namespace
}  // namespace ignite::index
