#include "builder/store/postgres/pg_error.h"

namespace ignite::store {

Code code_for_sqlstate(std::string_view sqlstate) {
  if (sqlstate == "23505") return Code::kAlreadyExists;
  if (is_retryable_sqlstate(sqlstate)) return Code::kAborted;
  if (sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" || sqlstate == "53300") {
    return Code::kUnavailable;
  }
  if (sqlstate == "57014") return Code::kDeadlineExceeded;
  if (sqlstate.size() == 5) {
    const std::string_view error_class = sqlstate.substr(0, 2);
    if (error_class == "08") return Code::kUnavailable;
    if (error_class == "23") return Code::kFailedPrecondition;
  }
  return Code::kInternal;
}

bool is_retryable_sqlstate(std::string_view sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01";
}

}  // namespace ignite::store
