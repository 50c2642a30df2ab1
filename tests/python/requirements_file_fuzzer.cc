// Fuzzes the requirements-file reader and the builder's checks: any bytes (as the file
// requirements.txt, which may include the two other small files) give accepted
// requirements or a clean error, never a crash, a hang or a secret in a message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "builder/python/requirements_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ignite::python;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  InMemoryFileSource files;
  files.add("requirements.txt", std::string(bytes));
  files.add("base.txt", "requests>=2\n-c sub/pins.txt\n");
  files.add("sub/pins.txt", "urllib3<3\n");
  // The value is long and odd enough that it never shows up by chance; an input that holds
  // it literally may of course see it quoted back.
  constexpr std::string_view kSecret = "Zq8sEcReTvAlUe9x";
  bool literal = bytes.find(kSecret) != std::string_view::npos;
  RequirementsVariables vars{{"SECRET_TOKEN", std::string(kSecret)}};
  ignite::Result<RequirementsFile> file = read_requirements_file(files, "requirements.txt", vars);
  if (!file.ok()) {
    if (!literal && file.status().message().find(kSecret) != std::string::npos) std::abort();
    return 0;
  }
  for (const std::string& w : file->warnings) {
    if (!literal && w.find(kSecret) != std::string::npos) std::abort();
  }
  ignite::Result<AcceptedRequirements> accepted = accept_requirements(*file);
  if (!literal && !accepted.ok() &&
      accepted.status().message().find(kSecret) != std::string::npos) {
    std::abort();
  }
  return 0;
}
