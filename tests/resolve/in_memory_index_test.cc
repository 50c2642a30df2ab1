#include "builder/resolve/in_memory_index.h"

#include <gtest/gtest.h>

#include "tests/resolve/resolve_testing.h"

namespace ignite::resolve {
namespace {

using testing::add;

TEST(InMemoryIndex, LoadsTheVectorFormat) {
  Result<InMemoryIndex> index = InMemoryIndex::from_json(R"json({
    "#": "a comment, skipped",
    "Foo_Bar": {
      "1.0": {"dependencies": ["six (>=1.0)", "attrs; extra == 'x'"]},
      "2.0": {"dependencies": [], "requires_python": ">=3.12", "yanked": true},
      "0.1dev-r1234": {"dependencies": []}
    },
    "six": {"1.16.0": {"dependencies": {}}}
  })json",
                                                         "t");
  ASSERT_TRUE(index.ok()) << index.status().to_string();
  EXPECT_EQ(index->describe(), "in-memory index t");
  EXPECT_EQ(index->project_count(), 2u);
  EXPECT_EQ(index->version_count(), 3u);
  EXPECT_EQ(index->skipped_versions(), 1u);  // not PEP 440

  Result<std::vector<Candidate>> foo = index->candidates("foo-bar");
  ASSERT_TRUE(foo.ok());
  ASSERT_EQ(foo->size(), 2u);
  const Candidate& two = (*foo)[0].version.to_string() == "2.0" ? (*foo)[0] : (*foo)[1];
  EXPECT_EQ(two.name, "foo-bar");
  EXPECT_TRUE(two.yanked);
  ASSERT_TRUE(two.requires_python.has_value());
  EXPECT_EQ(two.requires_python->to_string(), ">=3.12");
  EXPECT_EQ(two.filename, "");
  EXPECT_EQ(two.url, "");

  const Candidate& one = &two == &(*foo)[0] ? (*foo)[1] : (*foo)[0];
  Result<std::vector<python::Requirement>> deps = index->dependencies(one);
  ASSERT_TRUE(deps.ok()) << deps.status().to_string();
  ASSERT_EQ(deps->size(), 2u);
  EXPECT_EQ((*deps)[0].to_string(), "six>=1.0");
  EXPECT_EQ((*deps)[1].to_string(), "attrs; extra == \"x\"");

  Result<std::vector<Candidate>> none = index->candidates("nothere");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(InMemoryIndex, RefusesMalformedJson) {
  Result<InMemoryIndex> bad = InMemoryIndex::from_json("{", "t");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "loading in-memory index t: not valid JSON");

  bad = InMemoryIndex::from_json(R"({"a": {"1.0": {"dependencies": "b"}}})", "t");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "loading in-memory index t: a 1.0: \"dependencies\" is not an array");

  bad = InMemoryIndex::from_json(R"({"a": {"1.0": {"yanked": "yes"}}})", "t");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "loading in-memory index t: a 1.0: \"yanked\" is no boolean");

  bad = InMemoryIndex::from_json(R"({"-a-": {"1.0": {}}})", "t");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("invalid project name '-a-'"), std::string::npos)
      << bad.status().message();
}

TEST(InMemoryIndex, RefusesADuplicateVersion) {
  InMemoryIndex index("t");
  add(index, "a", "1.0");
  Status again = index.add("A", Release{"1.0.0", {}, "", false});
  EXPECT_EQ(again.code(), Code::kAlreadyExists);
  EXPECT_EQ(again.message(), "a 1.0.0: the project has this version already");
}

TEST(InMemoryIndex, ABadDependencyIsDataLossForThatCandidateOnly) {
  InMemoryIndex index("t");
  add(index, "a", "1.0", {"b >= >= 1"});
  add(index, "a", "2.0", {"b"});
  Result<std::vector<Candidate>> candidates = index.candidates("a");
  ASSERT_TRUE(candidates.ok());
  for (const Candidate& c : *candidates) {
    Result<std::vector<python::Requirement>> deps = index.dependencies(c);
    if (c.version.to_string() == "2.0") {
      EXPECT_TRUE(deps.ok());
      continue;
    }
    ASSERT_FALSE(deps.ok());
    EXPECT_EQ(deps.status().code(), Code::kDataLoss);
    EXPECT_EQ(deps.status().message().rfind(
                  "reading dependencies of a 1.0 from in-memory index t: invalid requirement: ", 0),
              0u)
        << deps.status().message();
  }
}

}  // namespace
}  // namespace ignite::resolve
