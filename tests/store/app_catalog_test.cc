// The app catalog: CreateApp's apps and each app's single draft.
#include "builder/store/sqlite_app_catalog.h"

#include <gtest/gtest.h>

#include "tests/store/build_queue_fixture.h"

namespace ignite::store {
namespace {

class AppCatalogTest : public ::testing::Test {
 protected:
  SqliteAppCatalog open() {
    auto c = SqliteAppCatalog::open(dir_ / "ignite.db", [this] { return now_; });
    if (!c.ok()) ADD_FAILURE() << c.status().to_string();
    return std::move(c).value();
  }
  DraftRecord draft(std::string_view app, char source, std::string build_id) {
    DraftRecord d{app_id(app)};
    d.source_digest = digest_of(source);
    d.code_hash = digest_of('c');
    d.build_id = std::move(build_id);
    return d;
  }
  testing::TempDir dir_;
  std::int64_t now_ = 1'700'000'000'000;
};

TEST_F(AppCatalogTest, CreateAppRecordsItOnceAndRefusesItAgain) {
  auto c = open();
  auto made = c.create_app(AppProfile{app_id("acme-corp/greet"), "small", "says hello"});
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  EXPECT_EQ(made->created_at_ms, now_);
  auto found = c.find_app(app_id("acme-corp/greet"));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->resource_tier, "small");
  EXPECT_EQ((*found)->description, "says hello");
  EXPECT_TRUE(is_error(c.create_app(AppProfile{app_id("acme-corp/greet")}).status(),
                       Code::kAlreadyExists, "app acme-corp/greet already exists"));
  EXPECT_FALSE(c.find_app(app_id("acme-corp/other"))->has_value());
  EXPECT_FALSE(c.find_app(app_id("other-org/greet"))->has_value());
}

TEST_F(AppCatalogTest, CreateAppRefusesABadProfileNamingTheField) {
  auto c = open();
  EXPECT_TRUE(is_error(c.create_app(AppProfile{app_id("acme-corp/a"), "very small"}).status(),
                       Code::kInvalidArgument, "resourceTier \"very small\""));
  EXPECT_TRUE(
      is_error(c.create_app(AppProfile{app_id("acme-corp/a"), std::string(65, 'x')}).status(),
               Code::kInvalidArgument, "resourceTier is longer than 64 bytes"));
  EXPECT_TRUE(is_error(c.create_app(AppProfile{app_id("acme-corp/a"), "", "a\x1b[31m"}).status(),
                       Code::kInvalidArgument, "description holds a control character"));
  EXPECT_TRUE(
      is_error(c.create_app(AppProfile{app_id("acme-corp/a"), "", std::string(4097, 'd')}).status(),
               Code::kInvalidArgument, "description is longer than 4096 bytes"));
  EXPECT_FALSE(c.find_app(app_id("acme-corp/a"))->has_value());
  EXPECT_TRUE(c.create_app(AppProfile{app_id("acme-corp/a"), "", "line one\n\tline two"}).ok());
}

TEST_F(AppCatalogTest, EachSaveReplacesTheDraftUnderTheNextRevision) {
  auto c = open();
  ASSERT_TRUE(c.create_app(AppProfile{app_id("acme-corp/greet")}).ok());
  EXPECT_FALSE(c.find_draft(app_id("acme-corp/greet"))->has_value());
  auto first = c.save_draft(draft("acme-corp/greet", '1', "b-1"));
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  EXPECT_EQ(first->revision, 1);
  now_ += 5;
  auto second = c.save_draft(draft("acme-corp/greet", '2', "b-2"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->revision, 2);
  auto found = c.find_draft(app_id("acme-corp/greet"));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->revision, 2);
  EXPECT_EQ((*found)->source_digest, digest_of('2'));
  EXPECT_EQ((*found)->build_id, "b-2");
  EXPECT_EQ((*found)->saved_at_ms, now_);
  // Reopened, it is all still there.
  auto again = open();
  EXPECT_EQ((*again.find_draft(app_id("acme-corp/greet")))->revision, 2);
}

TEST_F(AppCatalogTest, ADraftNeedsACreatedAppAndWellFormedDigests) {
  auto c = open();
  EXPECT_TRUE(is_error(c.save_draft(draft("acme-corp/nope", '1', "b-1")).status(), Code::kNotFound,
                       "app acme-corp/nope not found"));
  ASSERT_TRUE(c.create_app(AppProfile{app_id("acme-corp/greet")}).ok());
  auto bad = draft("acme-corp/greet", '1', "b-1");
  bad.source_digest = "sha256:short";
  EXPECT_EQ(c.save_draft(bad).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(c.find_draft(app_id("acme-corp/greet"))->has_value());
}

TEST_F(AppCatalogTest, AnotherCatalogSchemaVersionIsRefused) {
  {
    auto c = open();
    auto db = Database::open(dir_ / "ignite.db");
    ASSERT_TRUE(db->exec("UPDATE meta SET value = '9' WHERE key = 'catalog_schema_version'").ok());
  }
  EXPECT_TRUE(is_error(SqliteAppCatalog::open(dir_ / "ignite.db").status(),
                       Code::kFailedPrecondition, "has app catalog schema version 9"));
}

}  // namespace
}  // namespace ignite::store
