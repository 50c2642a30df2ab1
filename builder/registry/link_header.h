// The Link header (RFC 8288) with which a registry pages its tag list:
//   Link: </v2/acme-corp/greet/tags/list?last=v100&n=100>; rel="next"
//
//   header ::= link ("," link)*
//   link   ::= "<" URI-reference ">" (";" param)*
//   param  ::= token "=" (token | quoted-string)
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ignite::registry {

// The URI-reference of the first link whose rel includes "next"; nullopt when there is none or
// the header is malformed (a registry that pages wrongly ends the listing early, it does not
// fail it: the caller checks what it needs in the tags it got).
std::optional<std::string> next_page_link(std::string_view header);

}  // namespace ignite::registry
