// Keeping secrets out of what is shown: URLs without their userinfo (or their query, which may
// hold upload state), and messages without any password or token the caller holds.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ignite::net {

// The text with the "user:pass@" (or "token@") of every URL in it replaced by "****@", for
// messages about text that may not even parse.
std::string redact_url(std::string_view text);

// The URL without userinfo and fragment; text that does not parse comes back redacted.
std::string strip_credentials(std::string_view text);

// The URL without query, fragment and userinfo: what an error about a request names.
std::string url_for_messages(std::string_view url);

// `text` with URL userinfo redacted and every secret (3 characters or more: shorter ones would
// mangle ordinary text) replaced by "****", as a last resort before a message is shown.
std::string scrub_secrets(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace ignite::net
