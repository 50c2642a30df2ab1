// Fuzzes archive intake: any bytes must give a tree or a clean error, never a crash, a leak
// or a hang. Small limits keep each input cheap.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "builder/source/code_hash.h"
#include "builder/source/intake.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ignite::IntakeOptions options;
  options.limits.max_total_bytes = 4 << 20;
  options.limits.max_file_bytes = 1 << 20;
  options.limits.max_entries = 1000;
  options.require_handler = ignite::RequireHandler::kNo;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto tree = ignite::read_source_bytes(bytes, options);
  if (tree.ok()) (void)ignite::code_hash(*tree);
  return 0;
}
