// What the build queue's tests share: a temporary store, a fake clock (nothing ever sleeps; time
// moves only when a test says so), and the fenced commit as a worker will make it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "builder/store/sqlite_build_queue.h"
#include "builder/store/sqlite_version_store.h"
#include "tests/testing/temp_dir.h"

namespace ignite::store {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

inline constexpr milliseconds kLease = seconds(30);

inline AppId app_id(std::string_view text) { return *AppId::parse(text); }

// A draft build's options (SaveDraft's: the image only, no version).
inline SubmitOptions draft_options() {
  SubmitOptions o;
  o.kind = BuildKind::kDraft;
  return o;
}

// "sha256:" and 64 copies of one hex digit.
inline std::string digest_of(char hex) { return "sha256:" + std::string(64, hex); }

// A table's columns as "name type notnull default", in order: what an upgraded queue must share
// with a new one, whatever path it took (an upgrade's ALTER TABLE and a new table's CREATE TABLE
// must end the same).
inline std::vector<std::string> table_columns(Database& db, std::string_view table) {
  std::vector<std::string> out;
  auto q = db.prepare(
      "SELECT name, type, \"notnull\", COALESCE(dflt_value, '(none)') "
      "FROM pragma_table_info(?1) ORDER BY cid");
  if (!q.ok()) {
    ADD_FAILURE() << q.status().to_string();
    return out;
  }
  q->bind(1, table);
  for (;;) {
    auto row = q->step();
    if (!row.ok()) ADD_FAILURE() << row.status().to_string();
    if (!row.ok() || !*row) break;
    out.push_back(q->column_text(0) + " " + q->column_text(1) + " " + q->column_text(2) + " " +
                  q->column_text(3));
  }
  return out;
}

// The queue's schema version as meta records it.
inline std::string queue_schema_version(Database& db) {
  auto v = read_meta(db, "queue_schema_version");
  if (!v.ok()) ADD_FAILURE() << v.status().to_string();
  return v.ok() && v->has_value() ? **v : std::string("(none)");
}

class BuildQueueTest : public ::testing::Test {
 protected:
  std::string db_path() const { return dir_ / "ignite.db"; }

  QueueOptions options(int max_running_per_org = 2) {
    QueueOptions o;
    o.max_running_per_org = max_running_per_org;
    o.now_ms = [this] { return now_; };
    return o;
  }

  SqliteBuildQueue open_queue(int max_running_per_org = 2) {
    auto q = SqliteBuildQueue::open(db_path(), options(max_running_per_org));
    if (!q.ok()) ADD_FAILURE() << q.status().to_string();
    return std::move(q).value();
  }

  SqliteVersionStore open_versions() {
    auto v = SqliteVersionStore::open(db_path());
    if (!v.ok()) ADD_FAILURE() << v.status().to_string();
    return std::move(v).value();
  }

  void advance(milliseconds d) { now_ += d.count(); }
  std::int64_t now() const { return now_; }

  BuildRecord submit(BuildQueue& q, std::string_view app,
                     BuildPriority priority = BuildPriority::kNormal,
                     const SubmitOptions& submit_options = {}) {
    auto b = q.submit(app_id(app), digest_of('5'), digest_of('c'), priority, submit_options);
    if (!b.ok()) ADD_FAILURE() << b.status().to_string();
    return std::move(b).value();
  }

  // The claimed build's id, "" when there was none (a failure when `expect` is set).
  std::string claim_id(BuildQueue& q, std::string_view worker, milliseconds lease = kLease) {
    auto c = q.claim(worker, lease);
    if (!c.ok()) {
      ADD_FAILURE() << c.status().to_string();
      return "";
    }
    return c->has_value() ? (*c)->build.id : "";
  }

  // The fenced commit as a worker makes it: the queue's check first inside the version's
  // transaction, then what stands for the registry tag (`*tagged`), which a refused worker must
  // never reach.
  static Result<VersionRecord> commit(VersionStore& versions, BuildQueue& q, const BuildRecord& b,
                                      std::int64_t epoch, const std::string& manifest,
                                      bool* tagged = nullptr) {
    VersionRecord r;
    r.manifest_digest = manifest;
    r.code_hash = b.code_hash;
    r.base_digest = digest_of('b');
    r.inputs = "{}";
    return versions.commit_version(b.app, r, [&](StoreTx& tx, std::int64_t number) -> Status {
      IGNITE_RETURN_IF_ERROR(
          q.succeed_in_transaction(tx, b.id, epoch, BuildOutcome{number, manifest, ""}));
      if (tagged != nullptr) *tagged = true;
      return ok_status();
    });
  }

  // `table`'s columns in a queue made new (beside the test's own database).
  std::vector<std::string> new_queue_columns(std::string_view table) {
    auto q = SqliteBuildQueue::open(dir_ / "new.db", options());
    if (!q.ok()) {
      ADD_FAILURE() << q.status().to_string();
      return {};
    }
    return table_columns(q->database(), table);
  }

  std::vector<BuildEvent> events_of(BuildQueue& q, const std::string& id) {
    auto e = q.events(id, 0);
    if (!e.ok()) ADD_FAILURE() << e.status().to_string();
    return e.ok() ? *e : std::vector<BuildEvent>{};
  }

  testing::TempDir dir_;
  std::int64_t now_ = 1'700'000'000'000;  // fixed: tests never depend on the machine's clock
};

// Whether `s` is an error with `code` whose message contains `part`, saying what it was if not.
inline ::testing::AssertionResult is_error(const Status& s, Code code, std::string_view part) {
  if (s.code() == code && s.message().find(part) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "got " << s.to_string() << ", expected "
                                       << code_name(code) << " containing \"" << part << "\"";
}

}  // namespace ignite::store
