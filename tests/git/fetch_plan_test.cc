// Which refs are fetched for a ref name or a commit id, from a server's advertisement.
#include <gtest/gtest.h>

#include "builder/git/fetch_plan.h"

namespace ignite::git {
namespace {

const std::string kMain = "1111111111111111111111111111111111111111";
const std::string kTag = "2222222222222222222222222222222222222222";
const std::string kTagged = "3333333333333333333333333333333333333333";
const std::string kDev = "4444444444444444444444444444444444444444";

const std::vector<AdvertisedRef> kRefs = {
    {"HEAD", kMain},         {"refs/heads/main", kMain},   {"refs/heads/dev", kDev},
    {"refs/heads/v1", kDev},  // a branch named like a tag: the tag wins, as in git rev-parse
    {"refs/tags/v1", kTag},  {"refs/tags/v1^{}", kTagged},
};

FetchPlan plan(const std::string& ref) {
  auto p = plan_fetch(ref, kRefs, "file:///r");
  EXPECT_TRUE(p.ok()) << ref << ": " << p.status().to_string();
  return p.ok() ? *p : FetchPlan{};
}

TEST(FetchPlanTest, NamesAreLookedUpAsGitDoes) {
  EXPECT_EQ(plan("main").refspecs,
            std::vector<std::string>{"+refs/heads/main:refs/ignite/fetched"});
  EXPECT_EQ(plan("main").oid, kMain);
  EXPECT_EQ(plan("v1").refname, "refs/tags/v1");
  EXPECT_EQ(plan("v1").oid, kTag);  // the tag object, peeled after fetching
  EXPECT_EQ(plan("refs/heads/v1").oid, kDev);
  EXPECT_EQ(plan("heads/dev").refname, "refs/heads/dev");
  EXPECT_EQ(plan("HEAD").refname, "HEAD");
}

TEST(FetchPlanTest, CommitIds) {
  // Advertised (through the peeled tag): that one ref, and the commit itself.
  const FetchPlan tagged = plan(kTagged);
  EXPECT_EQ(tagged.refname, "refs/tags/v1");
  EXPECT_EQ(tagged.oid, kTagged);
  // Not advertised, or abbreviated: every branch and tag, found by prefix.
  const FetchPlan other = plan("abcdef0");
  EXPECT_EQ(other.refspecs, (std::vector<std::string>{"+refs/heads/*:refs/ignite/heads/*",
                                                      "+refs/tags/*:refs/ignite/tags/*"}));
  EXPECT_EQ(other.oid, "");
  EXPECT_EQ(other.commit_prefix, "abcdef0");
  EXPECT_EQ(plan("ABCDEF0").commit_prefix, "abcdef0");
}

TEST(FetchPlanTest, UnknownNameIsNotFoundWithTheRefsThereAre) {
  auto p = plan_fetch("nope", kRefs, "https://example.com/app.git");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), Code::kNotFound);
  EXPECT_EQ(p.status().message(),
            "git: ref 'nope' not found in https://example.com/app.git "
            "(branches: dev, main, v1; tags: v1)");
  auto full = plan_fetch("refs/heads/nope", kRefs, "u");
  EXPECT_EQ(full.status().code(), Code::kNotFound);
  auto empty = plan_fetch("main", {}, "u");
  EXPECT_EQ(empty.status().message(), "git: ref 'main' not found in u (no branches or tags)");
}

TEST(FetchPlanTest, LongListsAreCut) {
  std::vector<AdvertisedRef> many;
  for (int i = 0; i < 8; ++i) many.push_back({"refs/heads/b" + std::to_string(i), kMain});
  EXPECT_EQ(describe_refs(many), "branches: b0, b1, b2, b3, b4, …");
}

}  // namespace
}  // namespace ignite::git
