// store check: is every recorded version pullable, and every version ref recorded?
#pragma once

#include <string>
#include <vector>

#include "builder/pipeline/function_store.h"

namespace ignite::pipeline {

enum class CheckDepth {
  kStructure,  // refs, versions, and that every blob is present with its size
  kContent,    // also re-hash every blob and every layer's uncompressed bytes
};

struct StoreCheckReport {
  std::vector<std::string> problems;  // inconsistencies: the check fails
  std::vector<std::string> notes;     // harmless leftovers of interrupted builds
  int versions = 0;
  int refs = 0;
  bool ok() const { return problems.empty(); }
};

Result<StoreCheckReport> check_store(FunctionStore& store, CheckDepth depth);

}  // namespace ignite::pipeline
