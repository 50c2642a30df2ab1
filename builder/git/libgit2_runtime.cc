#include "builder/git/libgit2_runtime.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "builder/git/deadline_stream.h"

namespace ignite::git {

void ensure_libgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (git_libgit2_init() < 0) {
      // Only an allocation or a threading primitive failing gets here: nothing can run.
      const git_error* e = git_error_last();
      std::fprintf(stderr, "ignite: libgit2 could not start: %s\n", e ? e->message : "unknown");
      std::abort();
    }
    for (int level : {GIT_CONFIG_LEVEL_PROGRAMDATA, GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG,
                      GIT_CONFIG_LEVEL_GLOBAL}) {
      // An empty search path: libgit2 reads no configuration file at that level.
      (void)git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, "");
    }
    if (register_deadline_stream() < 0) {
      const git_error* e = git_error_last();
      std::fprintf(stderr, "ignite: libgit2 refused the socket stream: %s\n",
                   e ? e->message : "unknown");
      std::abort();
    }
  });
}

}  // namespace ignite::git
