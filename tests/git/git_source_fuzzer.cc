// fuzz_git_source: a git source's url, ref and subdir come from a request (three lines of the
// input here), and refs from whatever a server advertises. Checking them never crashes; what
// validate_git_source accepts shows no credentials, and plan_fetch gives refspecs or NOT_FOUND.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "builder/git/fetch_plan.h"
#include "builder/git/git_source.h"
#include "builder/net/url.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ignite::git;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t a = text.find('\n');
  const std::size_t b = a == std::string_view::npos ? a : text.find('\n', a + 1);
  const GitSource source{
      std::string(text.substr(0, a)),
      a == std::string_view::npos ? "" : std::string(text.substr(a + 1, b - a - 1)),
      b == std::string_view::npos ? "" : std::string(text.substr(b + 1))};
  if (validate_git_source(source).ok()) {
    const std::string shown = display_url(source.url);
    if (!shown.starts_with("file://")) {
      auto parsed = ignite::net::Url::parse(shown);
      if (!parsed.ok() || parsed->has_userinfo || parsed->has_query) __builtin_trap();
    }
    const std::string subdir = normalized_subdir(source.subdir);
    if (!subdir.empty() && (subdir.front() == '/' || subdir.back() == '/')) __builtin_trap();
    const std::vector<AdvertisedRef> refs = {
        {"HEAD", std::string(40, 'a')},
        {"refs/heads/main", std::string(40, 'a')},
        {"refs/tags/" + source.ref, std::string(40, 'b')},
        {"refs/tags/v1^{}", std::string(40, 'c')},
    };
    auto plan = plan_fetch(source.ref, refs, shown);
    if (plan.ok() && plan->refspecs.empty()) __builtin_trap();
    if (!plan.ok() && plan.status().code() != ignite::Code::kNotFound) __builtin_trap();
  }
  (void)display_url(text);
  (void)looks_like_commit_id(text);
  return 0;
}
