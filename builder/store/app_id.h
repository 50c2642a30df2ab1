// AppId: an organization and an app, accepted as "org/app" or "org:app". Each part follows the
// OCI distribution rule for a path component, since "org/app" is the image repository name:
//   [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*, at most 63 bytes.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::store {

class AppId {
 public:
  static Result<AppId> parse(std::string_view text);
  static Result<AppId> from_parts(std::string_view org, std::string_view app);

  const std::string& org() const { return org_; }
  const std::string& app() const { return app_; }
  std::string to_string() const { return org_ + "/" + app_; }  // also the repository name
  // The OCI layout ref name of version `number`: "org/app:vN".
  std::string ref_name(std::int64_t number) const;

  friend auto operator<=>(const AppId&, const AppId&) = default;

 private:
  AppId(std::string org, std::string app) : org_(std::move(org)), app_(std::move(app)) {}
  std::string org_;
  std::string app_;
};

// A version ref "org/app:vN" (N >= 1, no leading zero, fits in 63 bits) split into its app and
// number; nullopt for any other name.
struct VersionRef {
  AppId app;
  std::int64_t number;
};
std::optional<VersionRef> parse_version_ref(std::string_view name);

// Checks one part ("org" or "app" names the role in the error).
Status validate_app_part(std::string_view part, std::string_view role);

}  // namespace ignite::store
