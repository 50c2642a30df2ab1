// The transaction that the version store and the queue share (docs/decisions/postgres-store.md,
// option A). A version is recorded together with its build's success and event, or not at all:
// the version store hands its transaction to a guard (VersionStore::commit_version's `publish`,
// IntentGuard), and the queue's fences (BuildQueue::*_in_transaction) write into it.
//
// StoreTx is opaque: only a backend makes one, inside a transaction it holds open, and only that
// backend's objects can use it, by asking for their own kind (sqlite(), postgres()). Asking for
// another kind is FAILED_PRECONDITION, so a queue of one database can never write, unchecked,
// outside the transaction of a version store of another.
#pragma once

#include <string_view>

#include "builder/util/status.h"

namespace ignite::store {

class Database;
class PgConnection;

class StoreTx {
 public:
  virtual ~StoreTx() = default;
  StoreTx(const StoreTx&) = delete;
  StoreTx& operator=(const StoreTx&) = delete;

  // The backend whose transaction this is ("sqlite", "postgres"), for messages.
  virtual std::string_view backend() const = 0;

  // The SQLite connection this transaction runs on (SqliteStoreTx). FAILED_PRECONDITION "the
  // version store and the queue are in different databases" for another backend's transaction.
  virtual Result<Database*> sqlite();
  // The PostgreSQL connection this transaction runs on (PgStoreTx), inside its
  // PgConnection::transaction. FAILED_PRECONDITION, as sqlite(), for another backend's.
  virtual Result<PgConnection*> postgres();

 protected:
  StoreTx() = default;
  // What an accessor of a kind this transaction is not answers.
  Status other_backend(std::string_view wanted) const;
};

}  // namespace ignite::store
