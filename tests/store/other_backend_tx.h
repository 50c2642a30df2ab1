// A StoreTx of a backend other than SQLite, for the checks that refuse one in tests without a
// PostgreSQL server (store_test, a library test): it stands for PgStoreTx, which needs a live
// PgConnection (tests/store/postgres/pg_store_tx_test.cc uses the real one), and answers only
// what any transaction answers, so every accessor of another kind refuses it.
#pragma once

#include <string_view>

#include "builder/store/store_tx.h"

namespace ignite::store {

class OtherBackendTx final : public StoreTx {
 public:
  std::string_view backend() const override { return "postgres"; }
};

}  // namespace ignite::store
