// Descriptor <-> JSON. Internal to builder/oci (it speaks nlohmann::json).
#pragma once

#include <string_view>

#include "builder/oci/descriptor.h"
#include "builder/util/json_codec.h"

namespace ignite::oci {

Json descriptor_to_json(const Descriptor& d);
// `what` names the descriptor in errors: "manifest sha256:..: layer 2".
Result<Descriptor> descriptor_from_json(const Json& j, std::string_view what);

}  // namespace ignite::oci
