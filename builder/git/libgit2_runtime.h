// libgit2 inside this process: started once, configured once, with RAII handles for its objects.
//
// git_libgit2_init is reference-counted and must precede every other call; ensure_libgit2() makes
// the one call, thread-safe, the first time any git source is fetched. libgit2 is never shut
// down: a shutdown while another thread still fetches would free what that thread uses, and the
// process's exit releases everything anyway.
#pragma once

#include <git2.h>

#include <memory>

namespace ignite::git {

// Starts libgit2 and cuts it off from every git configuration file on the machine (system, XDG,
// global): a user's url.<base>.insteadOf, http.proxy or core settings must not change what a
// build fetches; and makes libgit2's sockets the deadline-bound ones of deadline_stream.h. Both
// settings are process-wide, which is why they are made here and only here.
void ensure_libgit2();

template <typename T, void (*Free)(T*)>
struct Libgit2Deleter {
  void operator()(T* p) const { Free(p); }
};

using RepositoryPtr =
    std::unique_ptr<git_repository, Libgit2Deleter<git_repository, git_repository_free>>;
using RemotePtr = std::unique_ptr<git_remote, Libgit2Deleter<git_remote, git_remote_free>>;
using ObjectPtr = std::unique_ptr<git_object, Libgit2Deleter<git_object, git_object_free>>;
using TreePtr = std::unique_ptr<git_tree, Libgit2Deleter<git_tree, git_tree_free>>;
using TreeEntryPtr =
    std::unique_ptr<git_tree_entry, Libgit2Deleter<git_tree_entry, git_tree_entry_free>>;
using ConfigPtr = std::unique_ptr<git_config, Libgit2Deleter<git_config, git_config_free>>;
using BlobPtr = std::unique_ptr<git_blob, Libgit2Deleter<git_blob, git_blob_free>>;

}  // namespace ignite::git
