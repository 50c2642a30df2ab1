#include "builder/store/postgres/pg_schema.h"

#include <string>

#include "builder/store/postgres/pg_schema_sql.h"

namespace ignite::store {
namespace {

// The advisory lock that serializes schema changes: one 64-bit key for the whole database,
// "ignite" in ASCII followed by 1. Held to the end of the transaction that makes the change.
constexpr std::int64_t kSchemaLockKey = 0x69676e6974650001;

// Migration i brings a database from version i to i + 1 (kMigrations[0]: from nothing to 1).
// Each runs in the transaction that records its version.
constexpr const char* kMigrations[] = {
    kPgSchemaSql,
};
static_assert(std::size(kMigrations) == kPgSchemaVersion,
              "one migration per schema version, to the current one");

constexpr const char* kVersionTable =
    "CREATE TABLE schema_version ("
    "  id      BIGINT PRIMARY KEY CHECK (id = 1),"
    "  version BIGINT NOT NULL CHECK (version >= 1))";

Status newer_schema(const PgConnection& conn, int version) {
  return failed_precondition("database " + conn.url_for_messages() + " has schema version " +
                             std::to_string(version) + ", this ignite-builder reads version " +
                             std::to_string(kPgSchemaVersion) +
                             " (was it written by a newer ignite-builder?)");
}

}  // namespace

Result<int> pg_schema_version(PgConnection& conn) {
  constexpr std::string_view kWhat = "reading the schema version";
  // From pg_class itself, under the statement's snapshot, not with to_regclass(): that looks in
  // the session's catalog cache, which, without a lock on the table, may still hold "no such
  // table" from before another process made it (seen when several start at once).
  IGNITE_ASSIGN_OR_RETURN(
      PgResult exists,
      conn.exec(kWhat,
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND "
                "c.relname = 'schema_version')"));
  if (exists.text(0, 0) != "t") return 0;
  IGNITE_ASSIGN_OR_RETURN(PgResult row,
                          conn.exec(kWhat, "SELECT version FROM schema_version WHERE id = 1"));
  if (row.empty()) {
    return data_loss("database " + conn.url_for_messages() +
                     " has a schema_version table without its row");
  }
  IGNITE_ASSIGN_OR_RETURN(std::int64_t version, row.integer(0, 0));
  return static_cast<int>(version);
}

Status ensure_pg_schema(PgConnection& conn) {
  IGNITE_ASSIGN_OR_RETURN(int version, pg_schema_version(conn));
  if (version == kPgSchemaVersion) return ok_status();
  if (version > kPgSchemaVersion) return newer_schema(conn, version);
  return conn.transaction("migrating the schema", [&]() -> Status {
    IGNITE_RETURN_IF_ERROR(
        conn.exec("taking the schema lock", "SELECT pg_advisory_xact_lock($1)", {kSchemaLockKey})
            .status());
    // Again, under the lock: another process may have made or migrated it meanwhile.
    IGNITE_ASSIGN_OR_RETURN(int from, pg_schema_version(conn));
    if (from > kPgSchemaVersion) return newer_schema(conn, from);
    if (from == 0) {
      IGNITE_RETURN_IF_ERROR(conn.exec("creating schema_version", kVersionTable).status());
    }
    for (int v = from; v < kPgSchemaVersion; ++v) {
      IGNITE_RETURN_IF_ERROR(conn.exec_script(
          "migrating the schema to version " + std::to_string(v + 1), kMigrations[v]));
    }
    return conn
        .exec("recording the schema version",
              "INSERT INTO schema_version (id, version) VALUES (1, $1) "
              "ON CONFLICT (id) DO UPDATE SET version = excluded.version",
              {kPgSchemaVersion})
        .status();
  });
}

}  // namespace ignite::store
