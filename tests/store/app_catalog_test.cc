// The app catalog: CreateApp's apps and each app's single draft. One suite over every backend:
// each case runs against SqliteAppCatalog ("Sqlite", in store_test) and PgAppCatalog
// ("Postgres", in store_pg_test, against a real server; skipped without PostgreSQL, failed
// instead under CI), which must answer alike, errors and messages included.
#include <gtest/gtest.h>

#include <memory>

#include "builder/store/postgres/pg_app_catalog.h"
#include "builder/store/sqlite_app_catalog.h"
#include "tests/store/build_queue_fixture.h"
#include "tests/testing/postgres_server.h"

namespace ignite::store {
namespace {

enum class Backend { kSqlite, kPostgres };

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

class AppCatalogTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) {
      IGNITE_TAKE_POSTGRES_DATABASE(url_);
    }
  }
  // The catalog of this test's store, opened again on each call (as another process would).
  std::unique_ptr<AppCatalog> open() {
    auto clock = [this] { return now_; };
    if (GetParam() == Backend::kSqlite) {
      auto c = SqliteAppCatalog::open(dir_ / "ignite.db", clock);
      if (!c.ok()) ADD_FAILURE() << c.status().to_string();
      return c.ok() ? std::make_unique<SqliteAppCatalog>(std::move(c).value()) : nullptr;
    }
    auto c = PgAppCatalog::open(url_, clock);
    if (!c.ok()) ADD_FAILURE() << c.status().to_string();
    return c.ok() ? std::make_unique<PgAppCatalog>(std::move(c).value()) : nullptr;
  }
  Status open_status() {
    if (GetParam() == Backend::kSqlite) return SqliteAppCatalog::open(dir_ / "ignite.db").status();
    return PgAppCatalog::open(url_).status();
  }
  // Makes the store's catalog schema look written by a newer builder (version 9).
  void set_newer_schema() {
    if (GetParam() == Backend::kSqlite) {
      auto db = Database::open(dir_ / "ignite.db");
      ASSERT_TRUE(
          db->exec("UPDATE meta SET value = '9' WHERE key = 'catalog_schema_version'").ok());
      return;
    }
    auto conn = PgConnection::open(url_);
    ASSERT_TRUE(conn.ok()) << conn.status().to_string();
    ASSERT_TRUE(conn->exec("bumping the schema", "UPDATE schema_version SET version = 9").ok());
  }
  DraftRecord draft(std::string_view app, char source, std::string build_id) {
    DraftRecord d{app_id(app)};
    d.source_digest = digest_of(source);
    d.code_hash = digest_of('c');
    d.build_id = std::move(build_id);
    return d;
  }
  testing::TempDir dir_;
  std::string url_;
  std::int64_t now_ = 1'700'000'000'000;
};

#ifdef IGNITE_APP_CATALOG_BACKEND_POSTGRES
INSTANTIATE_TEST_SUITE_P(Postgres, AppCatalogTest, ::testing::Values(Backend::kPostgres),
                         backend_name);
#else
INSTANTIATE_TEST_SUITE_P(Sqlite, AppCatalogTest, ::testing::Values(Backend::kSqlite), backend_name);
#endif

TEST_P(AppCatalogTest, CreateAppRecordsItOnceAndRefusesItAgain) {
  auto c = open();
  ASSERT_TRUE(c);
  auto made = c->create_app(AppProfile{app_id("acme-corp/greet"), "small", "says hello"});
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  EXPECT_EQ(made->created_at_ms, now_);
  auto found = c->find_app(app_id("acme-corp/greet"));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->resource_tier, "small");
  EXPECT_EQ((*found)->description, "says hello");
  EXPECT_TRUE(is_error(c->create_app(AppProfile{app_id("acme-corp/greet")}).status(),
                       Code::kAlreadyExists, "app acme-corp/greet already exists"));
  EXPECT_FALSE(c->find_app(app_id("acme-corp/other"))->has_value());
  EXPECT_FALSE(c->find_app(app_id("other-org/greet"))->has_value());
}

TEST_P(AppCatalogTest, CreateAppRefusesABadProfileNamingTheField) {
  auto c = open();
  ASSERT_TRUE(c);
  EXPECT_TRUE(is_error(c->create_app(AppProfile{app_id("acme-corp/a"), "very small"}).status(),
                       Code::kInvalidArgument, "resourceTier \"very small\""));
  EXPECT_TRUE(
      is_error(c->create_app(AppProfile{app_id("acme-corp/a"), std::string(65, 'x')}).status(),
               Code::kInvalidArgument, "resourceTier is longer than 64 bytes"));
  EXPECT_TRUE(is_error(c->create_app(AppProfile{app_id("acme-corp/a"), "", "a\x1b[31m"}).status(),
                       Code::kInvalidArgument, "description holds a control character"));
  EXPECT_TRUE(is_error(
      c->create_app(AppProfile{app_id("acme-corp/a"), "", std::string(4097, 'd')}).status(),
      Code::kInvalidArgument, "description is longer than 4096 bytes"));
  EXPECT_FALSE(c->find_app(app_id("acme-corp/a"))->has_value());
  EXPECT_TRUE(c->create_app(AppProfile{app_id("acme-corp/a"), "", "line one\n\tline two"}).ok());
}

TEST_P(AppCatalogTest, EachSaveReplacesTheDraftUnderTheNextRevision) {
  auto c = open();
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->create_app(AppProfile{app_id("acme-corp/greet")}).ok());
  EXPECT_FALSE(c->find_draft(app_id("acme-corp/greet"))->has_value());
  auto first = c->save_draft(draft("acme-corp/greet", '1', "b-1"));
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  EXPECT_EQ(first->revision, 1);
  now_ += 5;
  auto second = c->save_draft(draft("acme-corp/greet", '2', "b-2"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->revision, 2);
  auto found = c->find_draft(app_id("acme-corp/greet"));
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->revision, 2);
  EXPECT_EQ((*found)->source_digest, digest_of('2'));
  EXPECT_EQ((*found)->build_id, "b-2");
  EXPECT_EQ((*found)->saved_at_ms, now_);
  // Reopened, it is all still there.
  auto again = open();
  ASSERT_TRUE(again);
  EXPECT_EQ((*again->find_draft(app_id("acme-corp/greet")))->revision, 2);
}

TEST_P(AppCatalogTest, ADraftNeedsACreatedAppAndWellFormedDigests) {
  auto c = open();
  ASSERT_TRUE(c);
  EXPECT_TRUE(is_error(c->save_draft(draft("acme-corp/nope", '1', "b-1")).status(), Code::kNotFound,
                       "app acme-corp/nope not found"));
  ASSERT_TRUE(c->create_app(AppProfile{app_id("acme-corp/greet")}).ok());
  auto bad = draft("acme-corp/greet", '1', "b-1");
  bad.source_digest = "sha256:short";
  EXPECT_EQ(c->save_draft(bad).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(c->find_draft(app_id("acme-corp/greet"))->has_value());
}

TEST_P(AppCatalogTest, AnotherCatalogSchemaVersionIsRefused) {
  ASSERT_TRUE(open());
  set_newer_schema();
  // SQLite versions the catalog's tables apart; PostgreSQL has one version for the store.
  const std::string expected = GetParam() == Backend::kSqlite
                                   ? "has app catalog schema version 9"
                                   : "has schema version 9, this ignite-builder reads version 1";
  EXPECT_TRUE(is_error(open_status(), Code::kFailedPrecondition, expected))
      << open_status().to_string();
}

}  // namespace
}  // namespace ignite::store
