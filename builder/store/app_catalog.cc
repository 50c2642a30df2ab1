#include "builder/store/app_catalog.h"

#include "builder/util/quote.h"

namespace ignite::store {

Status validate_profile(const AppProfile& p) {
  const std::string where = "app " + p.app.to_string() + ": ";
  if (p.resource_tier.size() > kMaxResourceTierBytes) {
    return invalid_argument(where + "resourceTier is longer than " +
                            std::to_string(kMaxResourceTierBytes) + " bytes");
  }
  for (char c : p.resource_tier) {
    if (c <= ' ' || c > '~') {
      return invalid_argument(where + "resourceTier " + quote_text(p.resource_tier) +
                              " holds a character other than printable ASCII");
    }
  }
  if (p.description.size() > kMaxDescriptionBytes) {
    return invalid_argument(where + "description is longer than " +
                            std::to_string(kMaxDescriptionBytes) + " bytes");
  }
  for (unsigned char c : p.description) {
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
      return invalid_argument(where + "description holds a control character");
    }
  }
  return ok_status();
}

}  // namespace ignite::store
