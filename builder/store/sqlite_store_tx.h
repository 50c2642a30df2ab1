// The SQLite backend's StoreTx: the connection on which the caller holds a transaction open
// (SqliteVersionStore's BEGIN IMMEDIATE), for the duration of the guard it is handed to. It
// does not own the transaction: the store that made it commits or rolls back.
#pragma once

#include <string_view>

#include "builder/store/sqlite.h"
#include "builder/store/store_tx.h"

namespace ignite::store {

class SqliteStoreTx final : public StoreTx {
 public:
  // `db` must outlive this handle. The SQLite backend makes these; users see only StoreTx&.
  explicit SqliteStoreTx(Database& db) : db_(db) {}

  std::string_view backend() const override { return "sqlite"; }
  Result<Database*> sqlite() override { return &db_; }

 private:
  Database& db_;
};

}  // namespace ignite::store
