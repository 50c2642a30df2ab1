// Build ids: "b-" and 32 lowercase hex digits, 128 bits from the kernel's random source. Random
// rather than sequential so that ids from several processes (or, later, several machines sharing
// one PostgreSQL) never collide and reveal nothing about other builds.
#pragma once

#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::store {

Result<std::string> new_build_id();

// Whether `id` has the shape new_build_id gives (checked before an id reaches the database).
bool is_build_id(std::string_view id);

}  // namespace ignite::store
