// Ref names inside an OCI layout and "DIR:REF" references to an image in a layout.
#pragma once

#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::oci {

// Longest ref name accepted, in bytes.
inline constexpr std::size_t kMaxRefNameBytes = 256;

// The image-spec grammar for org.opencontainers.image.ref.name:
//   ref       ::= component ("/" component)*
//   component ::= alphanum (separator alphanum)*
//   alphanum  ::= [A-Za-z0-9]+
//   separator ::= [-._:@+] | "--"
// e.g. "acme-corp/greet:v1", "ignite/base:bookworm-python3.11".
Status validate_ref_name(std::string_view name);

// An image in an OCI layout, written "DIR:REF" as skopeo's oci: transport does (an optional
// "oci:" prefix is dropped; DIR ends at the first ':', so DIR itself holds none).
struct LayoutReference {
  std::string dir;
  std::string ref;

  static Result<LayoutReference> parse(std::string_view text);
  std::string to_string() const { return dir + ":" + ref; }
};

}  // namespace ignite::oci
