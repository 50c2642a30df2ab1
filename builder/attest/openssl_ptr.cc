#include "builder/attest/openssl_ptr.h"

#include <openssl/err.h>

namespace ignite::attest {

std::string take_openssl_errors() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "no reason given" : out;
}

}  // namespace ignite::attest
