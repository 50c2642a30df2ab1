#include "builder/store/store_location.h"

#include <unistd.h>

#include <cstdlib>

namespace ignite::store {

std::string default_store_dir() {
  if (const char* s = std::getenv("IGNITE_STORE"); s != nullptr && *s != '\0') return s;
  if (::geteuid() == 0) return "/var/lib/ignite-builder";
  if (const char* x = std::getenv("XDG_DATA_HOME"); x != nullptr && *x != '\0') {
    return std::string(x) + "/ignite-builder";
  }
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/ignite-builder";
}

}  // namespace ignite::store
