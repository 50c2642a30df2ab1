// Fuzz target: an in-memory index read from JSON (the resolver vectors' format), then a
// resolution of each of its first few projects with a small round limit. Any input must
// end in a Resolution or an error, never a crash or a hang; an answer must satisfy the
// requirement it was asked for.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "builder/resolve/in_memory_index.h"
#include "builder/resolve/resolver.h"

namespace {

constexpr int kFuzzMaxRounds = 50;
constexpr int kProjectsResolved = 3;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ignite::resolve;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ignite::Result<InMemoryIndex> index = InMemoryIndex::from_json(text, "fuzz");
  if (!index.ok()) return 0;
  // The projects to ask for: the JSON's first keys.
  nlohmann::json root = nlohmann::json::parse(text, nullptr, false);
  int resolved = 0;
  for (const auto& [project, versions] : root.items()) {
    if (!versions.is_object()) continue;
    if (resolved++ == kProjectsResolved) break;
    ignite::Result<ignite::python::Requirement> requirement =
        ignite::python::Requirement::parse(project);
    if (!requirement.ok() || requirement->marker()) continue;  // a false marker pins nothing
    ResolveRequest request;
    request.requirements.push_back(*requirement);
    request.options.max_rounds = kFuzzMaxRounds;
    ignite::Result<Resolution> result = resolve(*index, request);
    if (result.ok()) {
      const Pin* pin = result->find(requirement->canonical_name());
      if (pin == nullptr) std::abort();  // the requested project must be pinned
    }
  }
  return 0;
}
