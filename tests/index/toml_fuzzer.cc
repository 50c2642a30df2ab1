// fuzz_toml: read_pylock (toml++ and the pylock.toml checks) never crashes on arbitrary
// bytes, and a lock that reads writes bytes that read back to the same bytes (toml_quote.h
// spells every string so that toml++ reads the same text).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "builder/index/pylock.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto lock = ignite::index::read_pylock(text, "fuzz");
  if (lock.ok()) {
    const std::string bytes = ignite::index::write_pylock(*lock);
    auto again = ignite::index::read_pylock(bytes, "fuzz rewrite");
    if (!again.ok() || ignite::index::write_pylock(*again) != bytes) std::abort();
  }
  return 0;
}
