// HTTP Basic credentials by host and port, as pip keeps those of index URLs: given in a URL
// ("https://user:token@host/simple/"), sent to that host and port only.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "builder/net/url.h"

namespace ignite::net {

struct UserPassword {
  std::string user;
  std::string password;
};

// Credentials by "host[:port]" (Url::netloc()).
class HostCredentials {
 public:
  // Remembers the URL's userinfo, if any, for its host and port. The first one given for a
  // host wins (index-url before extra-index-url).
  void add_from(const Url& url);
  const UserPassword* find(const Url& url) const;
  bool empty() const { return by_netloc_.empty(); }
  // Every secret held, so that messages can be scrubbed of them as a last resort.
  std::vector<std::string> secrets() const;

 private:
  std::map<std::string, UserPassword> by_netloc_;
};

}  // namespace ignite::net
