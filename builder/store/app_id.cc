#include "builder/store/app_id.h"

#include <charconv>

#include "builder/util/ascii.h"
#include "builder/util/quote.h"

namespace ignite::store {
namespace {

constexpr std::size_t kMaxPartBytes = 63;

bool is_alnum(char c) { return is_ascii_lower(c) || is_ascii_digit(c); }

}  // namespace

Status validate_app_part(std::string_view part, std::string_view role) {
  const std::string quoted = quote_text(part.substr(0, 80));
  auto refuse = [&](std::string why) {
    return invalid_argument(std::string(role) + " name " + quoted + " " + why +
                            " (use lowercase letters, digits, and '.', '_' or '-' between them)");
  };
  if (part.empty()) return invalid_argument(std::string(role) + " name is empty");
  if (part.size() > kMaxPartBytes) return refuse("is longer than 63 characters");
  if (!is_alnum(part.front()) || !is_alnum(part.back())) {
    return refuse("must start and end with a lowercase letter or digit");
  }
  for (std::size_t i = 0; i < part.size(); ++i) {
    char c = part[i];
    if (is_alnum(c) || c == '-') continue;
    if (c == '.' || c == '_') {
      // '.', '_' and '__' separate alphanumeric runs; '._', '..' and '___' do not.
      bool double_underscore = c == '_' && i + 1 < part.size() && part[i + 1] == '_';
      std::size_t next = i + (double_underscore ? 2 : 1);
      if (next < part.size() && is_alnum(part[next]) && is_alnum(part[i - 1])) {
        i = next - 1;
        continue;
      }
      return refuse("has a misplaced '" + std::string(1, c) + "'");
    }
    if (is_ascii_upper(c)) return refuse("has an uppercase letter");
    return refuse("has the character " + quote_text(std::string_view(&c, 1)));
  }
  return ok_status();
}

Result<AppId> AppId::from_parts(std::string_view org, std::string_view app) {
  IGNITE_RETURN_IF_ERROR(validate_app_part(org, "organization"));
  IGNITE_RETURN_IF_ERROR(validate_app_part(app, "app"));
  return AppId(std::string(org), std::string(app));
}

Result<AppId> AppId::parse(std::string_view text) {
  std::size_t sep = text.find_first_of("/:");
  if (sep == std::string_view::npos ||
      text.find_first_of("/:", sep + 1) != std::string_view::npos) {
    return invalid_argument("app id " + quote_text(text.substr(0, 140)) +
                            " must be ORG/APP or ORG:APP, e.g. acme-corp/greet");
  }
  auto id = from_parts(text.substr(0, sep), text.substr(sep + 1));
  if (!id.ok()) return id.status().with_context("app id " + quote_text(text.substr(0, 140)));
  return id;
}

std::optional<VersionRef> parse_version_ref(std::string_view name) {
  const auto colon = name.rfind(":v");
  if (colon == std::string_view::npos) return std::nullopt;
  auto app = AppId::parse(name.substr(0, colon));
  if (!app.ok()) return std::nullopt;
  std::string_view digits = name.substr(colon + 2);
  if (digits.empty() || digits.front() == '0') return std::nullopt;
  std::int64_t number = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return VersionRef{std::move(app).value(), number};
}

std::string AppId::ref_name(std::int64_t number) const {
  return to_string() + ":v" + std::to_string(number);
}

}  // namespace ignite::store
