#include "builder/oci/layout_reference.h"
#include "builder/util/ascii.h"

namespace ignite::oci {
namespace {

bool is_alnum(char c) { return is_ascii_alnum(c); }
bool is_separator(char c) {
  return c == '-' || c == '.' || c == '_' || c == ':' || c == '@' || c == '+';
}

bool valid_component(std::string_view c) {
  if (c.empty() || !is_alnum(c.front()) || !is_alnum(c.back())) return false;
  for (std::size_t i = 0; i < c.size(); ++i) {
    if (is_alnum(c[i])) continue;
    if (!is_separator(c[i])) return false;
    // Separators stand alone, except "--".
    if (i + 1 < c.size() && is_separator(c[i + 1])) {
      if (!(c[i] == '-' && c[i + 1] == '-' && i + 2 < c.size() && is_alnum(c[i + 2]))) return false;
      ++i;
    }
  }
  return true;
}

}  // namespace

Status validate_ref_name(std::string_view name) {
  auto refuse = [&](std::string_view why) {
    std::string shown(name.substr(0, 80));
    for (char& ch : shown) {
      if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
    }
    return invalid_argument("ref name \"" + shown + "\" " + std::string(why));
  };
  if (name.empty()) return refuse("is empty");
  if (name.size() > kMaxRefNameBytes) {
    return refuse("is longer than " + std::to_string(kMaxRefNameBytes) + " bytes");
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t slash = name.find('/', start);
    if (slash == std::string_view::npos) slash = name.size();
    if (!valid_component(name.substr(start, slash - start))) {
      return refuse(
          "does not match the OCI ref grammar: '/'-separated components of letters "
          "and digits joined by one of - . _ : @ + (or \"--\"), e.g. "
          "\"acme-corp/greet:v1\"");
    }
    start = slash + 1;
  }
  return ok_status();
}

Result<LayoutReference> LayoutReference::parse(std::string_view text) {
  std::string_view rest = text;
  if (rest.starts_with("oci:")) rest.remove_prefix(4);
  auto colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size()) {
    return invalid_argument("image reference \"" + std::string(text.substr(0, 200)) +
                            "\" must be DIR:REF, an OCI layout directory and a ref name in it "
                            "(e.g. /var/lib/ignite-builder/oci:ignite/base:bookworm)");
  }
  LayoutReference r{std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1))};
  IGNITE_RETURN_IF_ERROR(validate_ref_name(r.ref).with_context(
      "image reference \"" + std::string(text.substr(0, 200)) + "\""));
  return r;
}

}  // namespace ignite::oci
