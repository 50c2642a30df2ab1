#include "src/service/org_scope.h"

namespace ignite::service {

Status check_may_create(const auth::Caller& caller, const store::AppId& app) {
  if (caller.sees(app.org())) return ok_status();
  return permission_denied("the token acts for organization " + caller.org.value_or("") + ", not " +
                           app.org() + ": " + app.to_string() + " cannot be made with it");
}

}  // namespace ignite::service
