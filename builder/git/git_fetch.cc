#include "builder/git/git_fetch.h"

#include <git2/sys/repository.h>

#include <system_error>
#include <vector>

#include "builder/git/deadline_stream.h"
#include "builder/git/fetch_plan.h"
#include "builder/git/libgit2_error.h"
#include "builder/git/libgit2_runtime.h"
#include "builder/git/tree_writer.h"

namespace ignite::git {
namespace {

namespace fs = std::filesystem;

// What libgit2's callbacks see: the deadline, and whether it was what stopped the fetch.
struct CallbackState {
  std::chrono::steady_clock::time_point deadline;
  bool deadline_passed = false;
  const ScopedSocketDeadline* sockets = nullptr;

  bool stopped_by_deadline() const {
    return deadline_passed || (sockets != nullptr && sockets->deadline_reached());
  }

  int check() {
    if (std::chrono::steady_clock::now() < deadline) return 0;
    deadline_passed = true;
    return GIT_EUSER;
  }
};

int on_sideband(const char*, int, void* payload) {
  return static_cast<CallbackState*>(payload)->check();
}

int on_transfer(const git_indexer_progress*, void* payload) {
  return static_cast<CallbackState*>(payload)->check();
}

int on_certificate(git_cert*, int, const char*, void* payload) {
  const int rc = static_cast<CallbackState*>(payload)->check();
  // GIT_PASSTHROUGH: libgit2 validates the certificate as it would without this callback.
  return rc != 0 ? rc : GIT_PASSTHROUGH;
}

git_remote_callbacks callbacks_for(CallbackState& state) {
  git_remote_callbacks cb;
  git_remote_init_callbacks(&cb, GIT_REMOTE_CALLBACKS_VERSION);
  cb.sideband_progress = on_sideband;
  cb.transfer_progress = on_transfer;
  cb.certificate_check = on_certificate;
  cb.payload = &state;
  return cb;
}

// A libgit2 failure, or the deadline when that is what stopped it.
Status failure(int rc, const CallbackState& state, const std::string& context) {
  if (state.stopped_by_deadline()) {
    return unavailable(context + ": stopped at the fetch's deadline (the server was too slow)");
  }
  return libgit2_status(rc, context);
}

std::string hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, oid);
  return buf;
}

Status prepare_scratch(const fs::path& scratch) {
  std::error_code ec;
  fs::create_directories(scratch, ec);
  if (ec) return errno_status("creating " + scratch.string(), ec.value());
  for (const char* name : {"repo.git", "tree"}) {
    fs::remove_all(scratch / name, ec);
    if (ec) return errno_status("clearing " + (scratch / name).string(), ec.value());
  }
  return ok_status();
}

// Gives the repository an empty, in-memory configuration. Nothing in the scratch repository's
// config file matters to a fetch, and libgit2 1.5 leaks a PCRE2 match buffer (about 20 KiB,
// seen under ASan) for each config entry that a pattern lookup does not match, which a remote
// makes several times per fetch (url.*.insteadOf): with no entries nothing is matched, and a
// long-running worker does not grow by a few hundred KiB per git build.
Status use_empty_config(git_repository* repo) {
  git_config* raw = nullptr;
  int rc = git_config_new(&raw);
  if (rc < 0) return libgit2_status(rc, "git: making an empty configuration");
  const ConfigPtr config(raw);
  rc = git_repository_set_config(repo, config.get());  // the repository holds its own reference
  if (rc < 0) return libgit2_status(rc, "git: setting the scratch repository's configuration");
  return ok_status();
}

// The object the plan names, or the commit its prefix names, peeled to a commit.
Result<ObjectPtr> find_commit(git_repository* repo, const FetchPlan& plan, std::string_view ref,
                              const std::string& url) {
  git_object* raw = nullptr;
  git_oid oid;
  int rc = 0;
  if (!plan.oid.empty()) {
    rc = git_oid_fromstr(&oid, plan.oid.c_str());
    if (rc == 0) rc = git_object_lookup(&raw, repo, &oid, GIT_OBJECT_ANY);
    if (rc < 0) {
      return libgit2_status(rc, "git: " + plan.refname + " from " + url +
                                    " was fetched without "
                                    "the object it names");
    }
  } else {
    rc = git_oid_fromstrn(&oid, plan.commit_prefix.data(), plan.commit_prefix.size());
    if (rc == 0) {
      rc = git_object_lookup_prefix(&raw, repo, &oid, plan.commit_prefix.size(), GIT_OBJECT_ANY);
    }
    if (rc == GIT_ENOTFOUND) {
      return not_found("git: commit " + plan.commit_prefix + " not found in " + url +
                       " (only commits that its branches and tags reach can be fetched)");
    }
    if (rc == GIT_EAMBIGUOUS) {
      return invalid_argument("git: commit id " + plan.commit_prefix + " is ambiguous in " + url +
                              "; give more of its digits");
    }
    if (rc < 0) return libgit2_status(rc, "git: looking up commit " + plan.commit_prefix);
  }
  ObjectPtr object(raw);
  git_object* peeled = nullptr;
  rc = git_object_peel(&peeled, object.get(), GIT_OBJECT_COMMIT);
  if (rc < 0) {
    return invalid_argument("git: ref '" + std::string(ref) + "' in " + url + " names a " +
                            git_object_type2string(git_object_type(object.get())) +
                            ", not a commit");
  }
  return ObjectPtr(peeled);
}

// The commit's tree at `subdir` ("" for the root).
Result<TreePtr> subdir_tree(git_repository* repo, git_commit* commit, const std::string& subdir,
                            const std::string& where) {
  git_tree* root = nullptr;
  int rc = git_commit_tree(&root, commit);
  if (rc < 0) return libgit2_status(rc, "git: reading the tree of " + where);
  TreePtr root_tree(root);
  if (subdir.empty()) return root_tree;
  git_tree_entry* raw_entry = nullptr;
  rc = git_tree_entry_bypath(&raw_entry, root_tree.get(), subdir.c_str());
  if (rc == GIT_ENOTFOUND) {
    return not_found("git: subdir '" + subdir + "' not found in " + where);
  }
  if (rc < 0) return libgit2_status(rc, "git: looking up subdir '" + subdir + "' in " + where);
  TreeEntryPtr entry(raw_entry);
  switch (git_tree_entry_type(entry.get())) {
    case GIT_OBJECT_TREE:
      break;
    case GIT_OBJECT_COMMIT:
      return invalid_argument("git: subdir '" + subdir + "' in " + where +
                              " is a submodule; submodules are not fetched");
    default:
      return invalid_argument("git: subdir '" + subdir + "' in " + where +
                              " is a file, not a directory");
  }
  git_tree* sub = nullptr;
  rc = git_tree_lookup(&sub, repo, git_tree_entry_id(entry.get()));
  if (rc < 0) return libgit2_status(rc, "git: reading subdir '" + subdir + "' of " + where);
  return TreePtr(sub);
}

}  // namespace

Result<GitCheckout> fetch_git_source(const GitSource& source, const fs::path& scratch_dir,
                                     const GitFetchOptions& options) {
  IGNITE_RETURN_IF_ERROR(validate_git_source(source));
  ensure_libgit2();
  GitCheckout out;
  out.ref = source.ref;
  out.url = display_url(source.url);
  out.subdir = normalized_subdir(source.subdir);
  out.tree = scratch_dir / "tree";
  IGNITE_RETURN_IF_ERROR(prepare_scratch(scratch_dir));

  git_repository* raw_repo = nullptr;
  int rc = git_repository_init(&raw_repo, (scratch_dir / "repo.git").c_str(), /*is_bare=*/1);
  if (rc < 0) return libgit2_status(rc, "git: making a repository in " + scratch_dir.string());
  const RepositoryPtr repo(raw_repo);
  IGNITE_RETURN_IF_ERROR(use_empty_config(repo.get()));
  git_remote* raw_remote = nullptr;
  // An anonymous remote: nothing about it is written to the repository's config.
  rc = git_remote_create_anonymous(&raw_remote, repo.get(), source.url.c_str());
  if (rc < 0) return libgit2_status(rc, "git: url " + out.url);
  const RemotePtr remote(raw_remote);

  const ScopedSocketDeadline socket_deadline(options.deadline);
  CallbackState state{options.deadline, false, &socket_deadline};
  const git_remote_callbacks callbacks = callbacks_for(state);
  if (state.check() != 0) return failure(GIT_EUSER, state, "git: connecting to " + out.url);
  rc = git_remote_connect(remote.get(), GIT_DIRECTION_FETCH, &callbacks, nullptr, nullptr);
  if (rc < 0) return failure(rc, state, "git: connecting to " + out.url);

  const git_remote_head** heads = nullptr;
  std::size_t head_count = 0;
  rc = git_remote_ls(&heads, &head_count, remote.get());
  if (rc < 0) return failure(rc, state, "git: listing the refs of " + out.url);
  std::vector<AdvertisedRef> advertised;
  advertised.reserve(head_count);
  for (std::size_t i = 0; i < head_count; ++i) {
    advertised.push_back({heads[i]->name, hex(&heads[i]->oid)});
  }
  IGNITE_ASSIGN_OR_RETURN(FetchPlan plan, plan_fetch(source.ref, advertised, out.url));

  std::vector<char*> specs;
  for (std::string& s : plan.refspecs) specs.push_back(s.data());
  const git_strarray refspecs{specs.data(), specs.size()};
  git_fetch_options fetch;
  git_fetch_options_init(&fetch, GIT_FETCH_OPTIONS_VERSION);
  fetch.callbacks = callbacks;
  fetch.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;  // the ref's history, not every tag's
  fetch.update_fetchhead = 0;
  fetch.prune = GIT_FETCH_NO_PRUNE;
  rc = git_remote_download(remote.get(), &refspecs, &fetch);
  if (rc < 0) {
    return failure(rc, state, "git: fetching '" + source.ref + "' from " + out.url);
  }
  (void)git_remote_disconnect(remote.get());

  IGNITE_ASSIGN_OR_RETURN(ObjectPtr commit, find_commit(repo.get(), plan, source.ref, out.url));
  out.commit = hex(git_object_id(commit.get()));
  const std::string where = "commit " + out.commit + " of " + out.url;
  IGNITE_ASSIGN_OR_RETURN(
      TreePtr tree,
      subdir_tree(repo.get(), reinterpret_cast<git_commit*>(commit.get()), out.subdir, where));
  const Status written =
      write_git_tree(repo.get(), tree.get(), out.subdir, out.tree, options.limits);
  if (!written.ok()) return written.with_context("checking out " + where);
  return out;
}

}  // namespace ignite::git
