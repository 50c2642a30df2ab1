// The lock end to end against find-links directories (no network): resolution, the lock
// cache and --refresh, the source's own pylock.toml.
#include "builder/index/lock_requirements.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "builder/index/lock_cache.h"
#include "tests/index/wheel_testing.h"
#include "tests/testing/temp_dir.h"

namespace ignite::index {
namespace {

const std::string kWheelhouse = std::string(IGNITE_SHARED_DIR) + "/wheelhouse";

LockRequest request_for(const std::string& find_links, const std::string& cache) {
  LockRequest r;
  r.sources.no_index = true;
  r.sources.find_links = {find_links};
  r.cache_dir = cache;
  return r;
}

std::vector<std::string> pins(const Lock& lock) {
  std::vector<std::string> out;
  for (const auto& p : lock.packages) out.push_back(p.name + "==" + p.version);
  return out;
}

TEST(LockRequirementsTest, ResolvesTheWheelhouseAndCachesTheLock) {
  testing::TempDir cache;
  python::InMemoryFileSource source;
  source.add("requirements.txt", "requests\n-r more.txt\n");
  source.add("more.txt", "pyyaml>=6\n");
  auto first = lock_requirements(source, request_for(kWheelhouse, cache.path()));
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->origin, LockOrigin::kResolved);
  EXPECT_EQ(pins(first->lock), (std::vector<std::string>{
                                   "certifi==2026.5.20", "charset-normalizer==3.4.7", "idna==3.13",
                                   "pyyaml==6.0.3", "requests==2.34.2", "urllib3==2.7.0"}));
  EXPECT_EQ(first->lock.packages[4].required_by, std::vector<std::string>{"requested: requests"});
  EXPECT_EQ(first->lock_hash, lock_hash(first->bytes).to_string());

  auto second = lock_requirements(source, request_for(kWheelhouse, cache.path()));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->origin, LockOrigin::kCached);
  EXPECT_EQ(second->bytes, first->bytes);
  EXPECT_EQ(second->key, first->key);

  // An included file is part of the key.
  source.add("more.txt", "# yaml, for the config files\npyyaml>=6\n");
  auto third = lock_requirements(source, request_for(kWheelhouse, cache.path()));
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->origin, LockOrigin::kResolved);
  EXPECT_NE(third->key, first->key);
  EXPECT_EQ(third->bytes, first->bytes);  // same resolution, same bytes
}

TEST(LockRequirementsTest, ANewReleaseChangesNothingUntilRefresh) {
  testing::TempDir cache;
  testing::TempDir wheels;
  testing::write_wheel(wheels.path(), "demo", "1.0");
  python::InMemoryFileSource source;
  source.add("requirements.txt", "demo\n");
  auto first = lock_requirements(source, request_for(wheels.path(), cache.path()));
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(pins(first->lock), std::vector<std::string>{"demo==1.0"});

  testing::write_wheel(wheels.path(), "demo", "2.0");
  auto again = lock_requirements(source, request_for(wheels.path(), cache.path()));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->origin, LockOrigin::kCached);
  EXPECT_EQ(again->bytes, first->bytes);

  LockRequest refresh = request_for(wheels.path(), cache.path());
  refresh.refresh = Refresh::kYes;
  auto refreshed = lock_requirements(source, refresh);
  ASSERT_TRUE(refreshed.ok());
  EXPECT_EQ(refreshed->origin, LockOrigin::kResolved);
  EXPECT_EQ(pins(refreshed->lock), std::vector<std::string>{"demo==2.0"});
  // The refreshed lock replaced the cached one.
  auto after = lock_requirements(source, request_for(wheels.path(), cache.path()));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->origin, LockOrigin::kCached);
  EXPECT_EQ(after->bytes, refreshed->bytes);
}

TEST(LockRequirementsTest, RequiresPythonExcludesAVersion) {
  testing::TempDir cache;
  testing::TempDir wheels;
  testing::write_wheel(wheels.path(), "demo", "1.0", ">=3.8");
  testing::write_wheel(wheels.path(), "demo", "2.0", ">=3.12");
  python::InMemoryFileSource source;
  source.add("requirements.txt", "demo\n");
  auto lock = lock_requirements(source, request_for(wheels.path(), cache.path()));
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  EXPECT_EQ(pins(lock->lock), std::vector<std::string>{"demo==1.0"});
}

TEST(LockRequirementsTest, UnsatisfiableRequirementsFailWithTheResolversReason) {
  testing::TempDir cache;
  python::InMemoryFileSource source;
  source.add("requirements.txt", "flask<3\n");
  auto lock = lock_requirements(source, request_for(kWheelhouse, cache.path()));
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.status().code(), Code::kFailedPrecondition);
  EXPECT_TRUE(lock.status().message().starts_with("requirements.txt against find-links "))
      << lock.status().message();
}

TEST(LockRequirementsTest, HashModeChecksEveryPackage) {
  testing::TempDir cache;
  python::InMemoryFileSource source;
  source.add("requirements.txt",
             "six==1.17.0 "
             "--hash=sha256:11475887521bde221e0349d40c60dab626af3de3cf0e0aeb539ce1782dd930c4\n");
  auto good = lock_requirements(source, request_for(kWheelhouse, cache.path()));
  ASSERT_TRUE(good.ok()) << good.status().message();
  source.add("requirements.txt", "six==1.17.0 --hash=sha256:" + std::string(64, '0') + "\n");
  auto bad = lock_requirements(source, request_for(kWheelhouse, cache.path()));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(bad.status().message(),
            "checking hashes: six-1.17.0-py2.py3-none-any.whl has sha256 "
            "11475887521bde221e0349d40c60dab626af3de3cf0e0aeb539ce1782dd930c4, which is not among "
            "the hashes requirements.txt lists for six");
}

TEST(LockRequirementsTest, UsesTheSourcesOwnPylockAsItIs) {
  testing::TempDir cache;
  python::InMemoryFileSource source;
  const std::string bytes =
      "lock-version = \"1.0\"\ncreated-by = \"someone\"\n\n[[packages]]\nname = \"six\"\nversion = "
      "\"1.17.0\"\n"
      "wheels = [{ url = \"https://h/six-1.17.0-py2.py3-none-any.whl\", hashes = { sha256 = \"" +
      std::string(64, 'a') + "\" } }]\n";
  source.add("pylock.toml", bytes);
  source.add("requirements.txt", "flask\n");  // ignored: the lock wins
  auto lock = lock_requirements(source, request_for(kWheelhouse, cache.path()));
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  EXPECT_EQ(lock->origin, LockOrigin::kSourceLock);
  EXPECT_EQ(lock->bytes, bytes);
  EXPECT_EQ(pins(lock->lock), std::vector<std::string>{"six==1.17.0"});

  source.add("pylock.toml", "lock-version = \"1.0\"\n[[packages]]\nname = \"x\"\n");
  auto bad = lock_requirements(source, request_for(kWheelhouse, cache.path()));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "pylock.toml in the source: packages[0] (x): a package needs a version (the builder "
            "installs wheels only)");
}

TEST(LockRequirementsTest, NoRequirementsIsAnEmptyLock) {
  testing::TempDir cache;
  python::InMemoryFileSource source;
  auto lock = lock_requirements(source, request_for(kWheelhouse, cache.path()));
  ASSERT_TRUE(lock.ok());
  EXPECT_EQ(lock->origin, LockOrigin::kNoRequirements);
  EXPECT_TRUE(lock->lock.packages.empty());
}

// verify --rebuild's recorded lock: taken as it is whenever the source has requirements, with
// nothing resolved (no source would give these pins) and nothing cached.
TEST(LockRequirementsTest, AGivenLockIsTakenAsItIsWhenTheSourceHasRequirements) {
  testing::TempDir cache;
  python::InMemoryFileSource source;
  source.add("requirements.txt", "flask\n");  // in no source here: resolving it would fail
  LockRequest request = request_for(kWheelhouse, cache.path());
  const std::string bytes =
      "lock-version = \"1.0\"\ncreated-by = \"someone\"\n\n[[packages]]\nname = \"six\"\nversion = "
      "\"1.17.0\"\n"
      "wheels = [{ url = \"https://h/six-1.17.0-py2.py3-none-any.whl\", hashes = { sha256 = \"" +
      std::string(64, 'a') + "\" } }]\n";
  request.given_lock = bytes;
  auto lock = lock_requirements(source, request);
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  EXPECT_EQ(lock->origin, LockOrigin::kGiven);
  EXPECT_EQ(lock_origin_name(lock->origin), "given lock");
  EXPECT_EQ(lock->bytes, bytes);
  EXPECT_EQ(lock->lock_hash, lock_hash(bytes).to_string());
  EXPECT_EQ(pins(lock->lock), std::vector<std::string>{"six==1.17.0"});
  EXPECT_TRUE(std::filesystem::is_empty(cache.path()) ||
              !std::filesystem::exists(cache.path() + "/locks"))
      << "a given lock is not cached";

  // It wins over the source's own pylock.toml too.
  source.add("pylock.toml", "lock-version = \"1.0\"\n");
  lock = lock_requirements(source, request);
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  EXPECT_EQ(lock->bytes, bytes);

  // A given lock that cannot be read names itself.
  request.given_lock = "lock-version = \"1.0\"\n[[packages]]\nname = \"x\"\n";
  auto bad = lock_requirements(source, request);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(bad.status().message().starts_with("the given lock: packages[0] (x)"))
      << bad.status().message();

  // Without requirements in the source it is not used: the source has no dependencies.
  python::InMemoryFileSource bare;
  request.given_lock = bytes;
  auto none = lock_requirements(bare, request);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->origin, LockOrigin::kNoRequirements);
  EXPECT_TRUE(none->lock.packages.empty());
}

TEST(LockKeyTest, CoversFilesIndexesAndTagsButNoCredentials) {
  LockKeyInput in;
  in.files = {{"requirements.txt", "flask\n"}};
  in.index_urls = {"https://idx.example/simple/"};
  in.environment = "python_full_version == '3.11.2'";
  in.tags = {python::Tag::make("py3", "none", "any")};
  const std::string base = lock_key(in);
  EXPECT_EQ(lock_key_input(in),
            "ignite-lock-key 1\nlock-version 1.0\nfile 6 requirements.txt\nflask\n\n"
            "index https://idx.example/simple/\nenvironment python_full_version == '3.11.2'\n"
            "tags 1\npy3-none-any\n");
  auto changed = [&](auto edit) {
    LockKeyInput copy = in;
    edit(copy);
    return lock_key(copy) != base;
  };
  EXPECT_TRUE(changed([](LockKeyInput& c) { c.files[0].second = "flask \n"; }));
  EXPECT_TRUE(changed([](LockKeyInput& c) { c.index_urls.push_back("https://other/simple/"); }));
  EXPECT_TRUE(
      changed([](LockKeyInput& c) { c.tags.push_back(python::Tag::make("py2", "none", "any")); }));
  EXPECT_TRUE(changed([](LockKeyInput& c) { c.find_links.push_back("/wheels"); }));
}

TEST(PlanSourcesTest, AppliesTheRequirementsFileOptionsAsPipDoes) {
  SourceOptions cli;
  cli.extra_index_urls = {"https://extra/simple/"};
  python::AcceptedRequirements file;
  auto plan = plan_sources(cli, file);
  EXPECT_EQ(plan.index_urls,
            (std::vector<std::string>{std::string(kDefaultIndexUrl), "https://extra/simple/"}));
  file.index_url = "https://file/simple/";
  file.extra_index_urls = {"https://file-extra/simple/"};
  plan = plan_sources(cli, file);
  EXPECT_EQ(plan.index_urls,
            (std::vector<std::string>{"https://file/simple/", "https://file-extra/simple/"}));
  file.no_index = true;
  EXPECT_TRUE(plan_sources(cli, file).index_urls.empty());
}

}  // namespace
}  // namespace ignite::index
