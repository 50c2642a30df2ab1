// The app catalog of the compute API (docs/compute.md): apps made by CreateApp, and each app's
// single draft (the platform's "version 0"), which SaveDraft replaces and PublishDraft publishes.
// AppCatalog is the interface; SqliteAppCatalog (sqlite_app_catalog.h) fills it for the embedded
// store, and a PostgreSQL one can fill it next.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "builder/store/app_id.h"
#include "builder/util/status.h"

namespace ignite::store {

struct AppProfile {
  AppId app;
  std::string resource_tier{};
  std::string description{};
  std::int64_t created_at_ms = 0;  // set by create_app
};

struct DraftRecord {
  AppId app;
  std::int64_t revision = 0;     // set by save_draft: 1, 2, 3... per app
  std::string source_digest{};   // sha256 of the draft's bytes (workers/source_store.h)
  std::string code_hash{};        // codeHash v1; "" for an image draft (its source is the
                                  // image's reference, as text)
  std::string build_id{};        // the draft build started for it
  std::int64_t saved_at_ms = 0;  // set by save_draft
};

// Limits on what a caller may store, checked by validate_profile.
inline constexpr std::size_t kMaxResourceTierBytes = 64;
inline constexpr std::size_t kMaxDescriptionBytes = 4096;

// INVALID_ARGUMENT naming the field: a resource tier of printable ASCII without spaces and at
// most 64 bytes ("" means the platform's default), a description without control characters
// but tabs and newlines, at most 4096 bytes.
Status validate_profile(const AppProfile& profile);

class AppCatalog {
 public:
  virtual ~AppCatalog() = default;

  // Records a new app. ALREADY_EXISTS "app org/name already exists" when it does; the profile is
  // checked first (validate_profile).
  virtual Result<AppProfile> create_app(const AppProfile& profile) = 0;
  virtual Result<std::optional<AppProfile>> find_app(const AppId& app) = 0;

  // Replaces the app's draft with `draft` under the next revision, and returns it as recorded.
  // NOT_FOUND when the app was never created.
  virtual Result<DraftRecord> save_draft(const DraftRecord& draft) = 0;
  // nullopt when no draft was ever saved.
  virtual Result<std::optional<DraftRecord>> find_draft(const AppId& app) = 0;

 protected:
  AppCatalog() = default;
  AppCatalog(const AppCatalog&) = default;
  AppCatalog(AppCatalog&&) = default;
  AppCatalog& operator=(const AppCatalog&) = default;
  AppCatalog& operator=(AppCatalog&&) = default;
};

}  // namespace ignite::store
