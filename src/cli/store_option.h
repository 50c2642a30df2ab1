// --store DIR, shared by the commands that use the embedded store.
#pragma once

#include <string>

#include "builder/store/store_location.h"
#include "src/cli/args.h"

namespace ignite::cli {

inline const FlagSpec kStoreFlag{"--store", "", true};

inline std::string store_dir(const Args& args) {
  return args.value_or("--store", store::default_store_dir());
}

}  // namespace ignite::cli
