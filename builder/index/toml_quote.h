// The one TOML string spelling the lock writer uses (pylock_write.cc). Reading TOML is
// toml++'s job (pylock_read.cc); writing is ours, because the lock's bytes are its identity
// (lockHash) and must not change with a library's formatter.
#pragma once

#include <string>
#include <string_view>

namespace ignite::index::toml {

// A TOML basic string: "..." with \" \\ \b \t \n \f \r escaped and other control
// characters (and DEL) as \uXXXX; everything else, UTF-8 included, as it is.
std::string quote(std::string_view text);

}  // namespace ignite::index::toml
