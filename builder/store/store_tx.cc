#include "builder/store/store_tx.h"

#include <string>

namespace ignite::store {

Result<Database*> StoreTx::sqlite() { return other_backend("sqlite"); }
Result<PgConnection*> StoreTx::postgres() { return other_backend("postgres"); }

Status StoreTx::other_backend(std::string_view wanted) const {
  return failed_precondition("the version store and the queue are in different databases (a " +
                             std::string(backend()) + " transaction where a " +
                             std::string(wanted) + " one is needed)");
}

}  // namespace ignite::store
