// A StoreTx of a backend other than SQLite, for the checks that refuse one: it stands for
// PostgreSQL's (PgStoreTx, the next step of docs/decisions/postgres-store.md) and answers only
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
