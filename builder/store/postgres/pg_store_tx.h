// The PostgreSQL backend's StoreTx: the connection on which the caller runs a transaction
// (PgConnection::transaction, inside whose body it is made), for the duration of the guard it is
// handed to. It does not own the transaction: the store that made it commits or rolls back, and
// may run the body (and so the guard, with a new PgStoreTx) again after a serialization failure.
// A queue joins it by running its statements on postgres(): PgConnection::transaction called
// inside a transaction joins it.
#pragma once

#include <string_view>

#include "builder/store/postgres/pg_connection.h"
#include "builder/store/store_tx.h"

namespace ignite::store {

class PgStoreTx final : public StoreTx {
 public:
  // `conn` must outlive this handle. The PostgreSQL backend makes these; users see only StoreTx&.
  explicit PgStoreTx(PgConnection& conn) : conn_(conn) {}

  std::string_view backend() const override { return "postgres"; }
  Result<PgConnection*> postgres() override { return &conn_; }

 private:
  PgConnection& conn_;
};

}  // namespace ignite::store
