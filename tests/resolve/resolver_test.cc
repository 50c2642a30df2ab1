// The resolver on small hand-written indexes: newest first, backtracking, extras, markers,
// constraints, yanked releases, Requires-Python, pre-releases, and the exact errors.
#include "builder/resolve/resolver.h"

#include <gtest/gtest.h>

#include "tests/resolve/resolution_check.h"
#include "tests/resolve/resolve_testing.h"

namespace ignite::resolve {
namespace {

using testing::add;
using testing::pins_of;
using testing::request_of;
using testing::why_of;
using Strings = std::vector<std::string>;

// Resolves and checks the answer from scratch.
Result<Resolution> resolve_checked(InMemoryIndex& index, const ResolveRequest& request) {
  Result<Resolution> result = resolve(index, request);
  if (result.ok()) {
    for (const std::string& problem : testing::check_resolution(index, request, *result)) {
      ADD_FAILURE() << "invalid resolution: " << problem;
    }
  }
  return result;
}

TEST(Resolver, PrefersTheNewestVersions) {
  InMemoryIndex index("t");
  add(index, "app", "1.0", {"lib>=1"});
  add(index, "app", "2.0", {"lib>=1.1"});
  add(index, "lib", "1.0");
  add(index, "lib", "1.1");
  add(index, "lib", "1.2");
  Result<Resolution> r = resolve_checked(index, request_of({"app"}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r), (Strings{"app 2.0", "lib 1.2"}));
  EXPECT_EQ(r->backjumps, 0);
  EXPECT_EQ(r->tried, (Strings{"app 2.0", "lib 1.2"}));
}

TEST(Resolver, SaysWhyEachPinIsThere) {
  InMemoryIndex index("t");
  add(index, "flask", "3.1.3", {"werkzeug>=3.1", "jinja2>=3.1.2"});
  add(index, "werkzeug", "3.1.3", {"MarkupSafe>=2.1.1"});
  add(index, "jinja2", "3.1.6", {"MarkupSafe>=2.0"});
  add(index, "markupsafe", "3.0.2");
  Result<Resolution> r = resolve_checked(index, request_of({"flask==3.1.3"}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r),
            (Strings{"flask 3.1.3", "jinja2 3.1.6", "markupsafe 3.0.2", "werkzeug 3.1.3"}));
  EXPECT_EQ(why_of(*r->find("flask")), (Strings{"flask==3.1.3 \u2190 requested"}));
  EXPECT_EQ(r->find("flask")->chain, "flask==3.1.3 \u2190 requested");
  EXPECT_EQ(why_of(*r->find("werkzeug")), (Strings{"werkzeug>=3.1 \u2190 flask 3.1.3"}));
  EXPECT_EQ(r->find("werkzeug")->chain,
            "werkzeug>=3.1 \u2190 flask 3.1.3 \u2190 requested flask==3.1.3");
  EXPECT_EQ(why_of(*r->find("markupsafe")), (Strings{"MarkupSafe>=2.0 \u2190 jinja2 3.1.6",
                                                     "MarkupSafe>=2.1.1 \u2190 werkzeug 3.1.3"}));
  EXPECT_EQ(r->find("markupsafe")->chain,
            "MarkupSafe>=2.0 \u2190 jinja2 3.1.6 \u2190 flask 3.1.3 \u2190 requested flask==3.1.3");
  EXPECT_EQ(r->find("nothere"), nullptr);
}

TEST(Resolver, BacktracksToAnOlderVersion) {
  // a 2.0 wants c 2, which b (any version) refuses: a must go back to 1.0.
  InMemoryIndex index("t");
  add(index, "a", "1.0", {"c==1"});
  add(index, "a", "2.0", {"c==2"});
  add(index, "b", "1.0", {"c<2"});
  add(index, "c", "1");
  add(index, "c", "2");
  Result<Resolution> r = resolve_checked(index, request_of({"a", "b"}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r), (Strings{"a 1.0", "b 1.0", "c 1"}));
  EXPECT_EQ(r->backjumps, 1);
  EXPECT_EQ(r->tried, (Strings{"a 2.0", "b 1.0", "a 1.0", "b 1.0", "c 1"}));
}

TEST(Resolver, BacktracksThroughATransitiveConflict) {
  // conflict-with-dependency in small: the newest tool needs six>=2, the user wants six<2.
  InMemoryIndex index("t");
  add(index, "tool", "1.0", {"six>=1"});
  add(index, "tool", "2.0", {"six>=2"});
  add(index, "tool", "3.0", {"six>=2", "extra-dep"});
  add(index, "six", "1.0");
  add(index, "six", "2.0");
  add(index, "extra-dep", "1.0");
  Result<Resolution> r = resolve_checked(index, request_of({"six<2", "tool"}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r), (Strings{"six 1.0", "tool 1.0"}));
}

TEST(Resolver, AProjectWithExtrasDependsOnItselfAtTheSameVersion) {
  InMemoryIndex index("t");
  add(index, "pkg", "1.0", {"dep; extra == 'x'", "unwanted; extra == 'y'", "base-dep"});
  add(index, "pkg", "2.0", {"dep>=2; extra == 'x'", "base-dep"});
  add(index, "dep", "1.0");
  add(index, "unwanted", "1.0");
  add(index, "base-dep", "1.0");
  Result<Resolution> r = resolve_checked(index, request_of({"pkg[X]", "pkg<2"}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r), (Strings{"base-dep 1.0", "dep 1.0", "pkg 1.0"}));
  EXPECT_EQ(r->find("pkg")->extras, (Strings{"x"}));
  EXPECT_EQ(why_of(*r->find("pkg")),
            (Strings{"pkg<2 \u2190 requested", "pkg[X] \u2190 requested"}));
  EXPECT_EQ(r->find("dep")->chain, "dep \u2190 pkg[x] 1.0 \u2190 requested pkg[X]");
}

TEST(Resolver, CombinesRequirementsOnOneProject) {
  InMemoryIndex index("t");
  for (const char* v : {"1.0", "1.1", "1.2", "1.3"}) add(index, "package_a", v);
  Result<Resolution> r = resolve_checked(
      index, request_of({"package_a >=1.1", "package_a >=1.0,<1.3", "package_a >=1.2"}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r), (Strings{"package-a 1.2"}));
}

TEST(Resolver, EvaluatesMarkersForTheTarget) {
  InMemoryIndex index("t");
  add(index, "app", "1.0",
      {"old-backport; python_version < '3.8'", "linux-only; sys_platform == 'linux'",
       "windows-only; sys_platform == 'win32'"});
  add(index, "old-backport", "1.0");
  add(index, "linux-only", "1.0");
  add(index, "windows-only", "1.0");
  Result<Resolution> r =
      resolve_checked(index, request_of({"app", "windows-only; os_name == 'nt'"}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r), (Strings{"app 1.0", "linux-only 1.0"}));

  ResolveRequest old_python = request_of({"app"});
  old_python.environment.set("python_version", "3.7");
  old_python.environment.set("python_full_version", "3.7.17");
  r = resolve_checked(index, old_python);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r), (Strings{"app 1.0", "linux-only 1.0", "old-backport 1.0"}));
}

TEST(Resolver, ConstraintsNarrowButNeverAdd) {
  InMemoryIndex index("t");
  add(index, "a", "1.0", {"b"});
  add(index, "b", "1.0");
  add(index, "b", "2.0");
  add(index, "c", "1.0");
  Result<Resolution> r = resolve_checked(index, request_of({"a"}, {"b<2", "c==1.0"}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r), (Strings{"a 1.0", "b 1.0"}));

  r = resolve(index, request_of({"a"}, {"b>3"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "resolving requirements: no version of b satisfies all of:\n"
            "  b \u2190 a 1.0 \u2190 requested a\n"
            "  b>3 \u2190 constraint\n"
            "  versions of b in in-memory index t: 2.0, 1.0");
}

TEST(Resolver, PicksAYankedReleaseOnlyWhenPinnedExactly) {
  InMemoryIndex index("t");
  add(index, "b", "1.0");
  add(index, "b", "2.0", {}, "", /*yanked=*/true);
  Result<Resolution> r = resolve_checked(index, request_of({"b"}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r), (Strings{"b 1.0"}));

  r = resolve_checked(index, request_of({"b==2.0"}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r), (Strings{"b 2.0"}));

  r = resolve(index, request_of({"b>=2"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "resolving requirements: no version of b satisfies the requirement:\n"
            "  b>=2 \u2190 requested\n"
            "  versions of b in in-memory index t: 2.0 (yanked), 1.0");
}

TEST(Resolver, RespectsRequiresPython) {
  InMemoryIndex index("t");
  add(index, "b", "1.0", {}, ">=3.8");
  add(index, "b", "2.0", {}, ">=3.12");
  Result<Resolution> r = resolve_checked(index, request_of({"b"}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r), (Strings{"b 1.0"}));

  r = resolve(index, request_of({"b>1"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "resolving requirements: no version of b satisfies the requirement:\n"
            "  b>1 \u2190 requested\n"
            "  versions of b in in-memory index t: 2.0 (requires Python >=3.12), 1.0");
}

TEST(Resolver, TakesPreReleasesOnlyWhenAskedOrNeeded) {
  InMemoryIndex index("t");
  add(index, "a", "1.0");
  add(index, "a", "2.0b1");
  add(index, "only-pre", "1.0rc1");
  Result<Resolution> r = resolve_checked(index, request_of({"a", "only-pre"}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r), (Strings{"a 1.0", "only-pre 1.0rc1"}));

  r = resolve_checked(index, request_of({"a>=2.0b1"}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r), (Strings{"a 2.0b1"}));

  ResolveRequest pre = request_of({"a"});
  pre.options.prereleases = Prereleases::kAllow;
  r = resolve_checked(index, pre);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r), (Strings{"a 2.0b1"}));
}

TEST(Resolver, ReportsAConflictWithTheChainsAndTheVersions) {
  InMemoryIndex index("t");
  add(index, "app", "1.0", {"six>=2"});
  add(index, "app", "1.1", {"six>=2"});
  add(index, "web", "1.0", {"app"});
  for (const char* v : {"1.0", "1.1", "2.0"}) add(index, "six", v);
  Result<Resolution> r = resolve(index, request_of({"six<2", "web"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "resolving requirements: no version of six satisfies all of:\n"
            "  six<2 \u2190 requested\n"
            "  six>=2 \u2190 app 1.1, 1.0 \u2190 web 1.0 \u2190 requested web\n"
            "  versions of six in in-memory index t: 2.0, 1.1, 1.0");
}

TEST(Resolver, ReportsAProjectWithNoVersionsAsAConflict) {
  InMemoryIndex index("t");
  add(index, "app", "1.0", {"ghost>=1"});
  Result<Resolution> r = resolve(index, request_of({"app"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().message(),
            "resolving requirements: no version of ghost satisfies the requirement:\n"
            "  ghost>=1 \u2190 app 1.0 \u2190 requested app\n"
            "  ghost has no versions in in-memory index t");
}

TEST(Resolver, ListsTenVersionsAndCountsTheRest) {
  InMemoryIndex index("t");
  for (int i = 1; i <= 12; ++i) add(index, "many", std::to_string(i) + ".0");
  Result<Resolution> r = resolve(index, request_of({"many>12"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "resolving requirements: no version of many satisfies the requirement:\n"
            "  many>12 \u2190 requested\n"
            "  versions of many in in-memory index t: 12.0, 11.0, 10.0, 9.0, 8.0, 7.0, 6.0, "
            "5.0, 4.0, 3.0 and 2 older");
}

TEST(Resolver, ARequestedProjectMissingFromTheSourceIsNotFound) {
  InMemoryIndex index("t");
  add(index, "a", "1.0");
  Result<Resolution> r = resolve(index, request_of({"a", "Not_There>=1"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_EQ(r.status().message(),
            "resolving requirements: not-there is not in in-memory index t "
            "(Not_There>=1 \u2190 requested)");
}

TEST(Resolver, StopsAtTheRoundLimit) {
  InMemoryIndex index("t");
  add(index, "a", "1.0", {"c==1"});
  add(index, "a", "2.0", {"c==2"});
  add(index, "b", "1.0", {"c<2"});
  add(index, "c", "1");
  add(index, "c", "2");
  ResolveRequest request = request_of({"a", "b"});
  request.options.max_rounds = 2;
  Result<Resolution> r = resolve(index, request);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(r.status().message(),
            "resolving requirements: too complex after 2 rounds (1 backjumps; the last conflict "
            "involved c==2 \u2190 a 2.0, c<2 \u2190 b 1.0); pin versions of the projects "
            "involved to narrow the search, or raise the round limit");

  request.options.max_rounds = kDefaultMaxRounds;
  EXPECT_TRUE(resolve(index, request).ok());
}

TEST(Resolver, SkipsACandidateWithUnusableMetadata) {
  InMemoryIndex index("t");
  add(index, "a", "1.0");
  add(index, "a", "2.0", {"b >= >= 1"});
  Result<Resolution> r = resolve(index, request_of({"a"}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r), (Strings{"a 1.0"}));
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0].rfind("skipped a 2.0: reading dependencies of a 2.0 from in-memory "
                                 "index t: invalid requirement: ",
                                 0),
            0u)
      << r->warnings[0];
}

TEST(Resolver, RefusesDirectUrlRequirements) {
  InMemoryIndex index("t");
  Result<Resolution> r =
      resolve(index, request_of({"pkg @ https://example.com/pkg-1.0-py3-none-any.whl"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnimplemented);
  EXPECT_EQ(
      r.status().message(),
      "resolving requirements: requirement 'pkg @ https://example.com/pkg-1.0-py3-none-any.whl': "
      "direct URL requirements are not resolved; list the project by name and give its "
      "index with --index-url or --find-links");
}

TEST(Resolver, ResolvesCyclesAndSelfReferencingExtras) {
  InMemoryIndex index("t");
  add(index, "a", "1.0", {"b"});
  add(index, "b", "1.0", {"a"});
  add(index, "pkg", "1.0", {"pkg[x]; extra == 'all'", "dep; extra == 'x'"});
  add(index, "dep", "1.0");
  Result<Resolution> r = resolve_checked(index, request_of({"a", "pkg[all]"}));
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(pins_of(*r), (Strings{"a 1.0", "b 1.0", "dep 1.0", "pkg 1.0"}));
  EXPECT_EQ(r->find("pkg")->extras, (Strings{"all", "x"}));
}

TEST(Resolver, IsDeterministic) {
  InMemoryIndex index("t");
  add(index, "a", "1.0", {"c==1"});
  add(index, "a", "2.0", {"c==2"});
  add(index, "b", "1.0", {"c<2"});
  add(index, "c", "1");
  add(index, "c", "2");
  Result<Resolution> first = resolve(index, request_of({"b", "a"}));
  Result<Resolution> second = resolve(index, request_of({"b", "a"}));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(pins_of(*first), pins_of(*second));
  EXPECT_EQ(first->tried, second->tried);
  // The order of the requested requirements does not change the answer either.
  Result<Resolution> swapped = resolve(index, request_of({"a", "b"}));
  ASSERT_TRUE(swapped.ok());
  EXPECT_EQ(pins_of(*first), pins_of(*swapped));
}

// A source whose network fails for one project: the resolution stops with that error.
class FailingSource : public PackageSource {
 public:
  explicit FailingSource(InMemoryIndex& inner) : inner_(inner) {}
  Result<std::vector<Candidate>> candidates(std::string_view name) override {
    if (name == "b") return unavailable("GET https://pypi.example/simple/b/: connection reset");
    return inner_.candidates(name);
  }
  Result<std::vector<python::Requirement>> dependencies(const Candidate& c) override {
    return inner_.dependencies(c);
  }
  std::string describe() const override { return "index https://pypi.example/simple/"; }

 private:
  InMemoryIndex& inner_;
};

TEST(Resolver, PassesOnSourceFailures) {
  InMemoryIndex index("t");
  add(index, "a", "1.0", {"b"});
  FailingSource source(index);
  Result<Resolution> r = resolve(source, request_of({"a"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_EQ(r.status().message(),
            "resolving requirements: finding versions of b in index https://pypi.example/simple/: "
            "GET https://pypi.example/simple/b/: connection reset");
}

}  // namespace
}  // namespace ignite::resolve
