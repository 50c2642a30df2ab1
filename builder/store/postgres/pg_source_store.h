// Draft sources in PostgreSQL (the `sources` table of pg_schema.sql): what workers/source_store.h
// keeps as files on the embedded store, kept here so that a worker on any node finds the source
// a server on another node accepted. Rows are written once and never changed (a trigger).
//
// One object per thread: it owns one connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "builder/store/postgres/pg_connection.h"

namespace ignite::store {

class PgSourceStore {
 public:
  // Connects to `url`, creating or migrating the schema when needed (ensure_pg_schema).
  static Result<PgSourceStore> open(std::string_view url);

  // Keeps `bytes` as `digest` ("sha256:<hex>" of them, which the caller computed); committed when
  // this returns. Idempotent: a digest already kept is left as it is.
  Status put(std::string_view digest, std::string_view bytes, std::int64_t now_ms);
  // The bytes kept as `digest`; nullopt when none are.
  Result<std::optional<std::string>> get(std::string_view digest);

 private:
  explicit PgSourceStore(PgConnection conn) : conn_(std::move(conn)) {}
  PgConnection conn_;
};

}  // namespace ignite::store
