// fuzz_toml: the TOML reader and the pylock.toml checks never crash, and a lock that reads
// writes bytes that read back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "builder/index/pylock.h"
#include "builder/index/toml.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ignite::index::toml::parse(text);
  auto lock = ignite::index::read_pylock(text, "fuzz");
  if (lock.ok()) {
    const std::string bytes = ignite::index::write_pylock(*lock);
    auto again = ignite::index::read_pylock(bytes, "fuzz rewrite");
    if (!again.ok() || ignite::index::write_pylock(*again) != bytes) std::abort();
  }
  return 0;
}
