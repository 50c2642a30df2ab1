// The PostgreSQL store's schema, created and migrated by the builder itself: no separate tool,
// no DBA step. pg_schema.sql holds version 1 (every table of the store); a later version adds
// a migration in pg_schema.cc, run in order from the version the database records.
#pragma once

#include "builder/store/postgres/pg_connection.h"
#include "builder/util/status.h"

namespace ignite::store {

inline constexpr int kPgSchemaVersion = 1;

// The version the database records in schema_version; 0 when it has no schema yet.
Result<int> pg_schema_version(PgConnection& conn);

// Brings the database to kPgSchemaVersion: creates the schema when there is none, migrates an
// older one, all in one transaction. Safe when several processes start at once: the work is
// done under a transaction-scoped advisory lock, after reading the version again; a database
// that is already current is only read (no lock, no wait). FAILED_PRECONDITION, naming both
// versions, for a database of a newer schema: this builder does not know its rules.
Status ensure_pg_schema(PgConnection& conn);

}  // namespace ignite::store
