#include "builder/net/host_credentials.h"

namespace ignite::net {

void HostCredentials::add_from(const Url& url) {
  if (!url.has_userinfo) return;
  by_netloc_.try_emplace(url.netloc(), UserPassword{url.user, url.password});
}

const UserPassword* HostCredentials::find(const Url& url) const {
  auto it = by_netloc_.find(url.netloc());
  return it == by_netloc_.end() ? nullptr : &it->second;
}

std::vector<std::string> HostCredentials::secrets() const {
  std::vector<std::string> out;
  for (const auto& [netloc, up] : by_netloc_) {
    if (!up.password.empty()) out.push_back(up.password);
    // A token given as the user part alone is a secret too.
    if (up.password.empty() && !up.user.empty()) out.push_back(up.user);
  }
  return out;
}

}  // namespace ignite::net
