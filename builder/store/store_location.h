// Where the embedded store lives when --store is not given (docs/store.md):
// $IGNITE_STORE, else /var/lib/ignite-builder as root, else
// ${XDG_DATA_HOME:-~/.local/share}/ignite-builder.
#pragma once

#include <string>

namespace ignite::store {

std::string default_store_dir();

}  // namespace ignite::store
