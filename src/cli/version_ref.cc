#include "src/cli/version_ref.h"

#include "builder/registry/image_publisher.h"

namespace ignite::cli {

Result<VersionRef> parse_version_ref(const std::string& text) {
  std::string app_text = text;
  std::optional<std::int64_t> number;
  if (auto colon = text.rfind(':'); colon != std::string::npos) {
    const std::string tag = text.substr(colon + 1);
    if (auto n = registry::parse_version_tag(tag)) {
      number = *n;
      app_text = text.substr(0, colon);
    } else if (!tag.empty() && tag[0] == 'v' && text.find('/') != std::string::npos) {
      return invalid_argument("\"" + text + "\": the version must be vN with N >= 1 (e.g. " +
                              text.substr(0, colon) + ":v1)");
    }
  }
  IGNITE_ASSIGN_OR_RETURN(store::AppId app, store::AppId::parse(app_text));
  return VersionRef{std::move(app), number};
}

}  // namespace ignite::cli
