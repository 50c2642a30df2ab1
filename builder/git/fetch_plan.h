// What to fetch for a ref, decided from the refs the server advertises, before any object is
// downloaded. Pure: no libgit2, no network (tests/git/fetch_plan_test.cc).
//
// A name is looked up as git rev-parse looks it up, without remote-tracking refs: exactly as
// given when it starts with "refs/" or is "HEAD", else refs/<name>, refs/tags/<name>,
// refs/heads/<name>, the first that exists. A name that matches nothing and has 7 to 40 hex
// digits is a commit id: when the server advertises a ref at that commit (full ids only), that
// one ref is fetched; otherwise every branch and tag is, since the protocol libgit2 1.5 speaks
// cannot ask for a commit no ref names (docs/git-sources.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "builder/util/status.h"

namespace ignite::git {

struct AdvertisedRef {
  std::string name;  // "refs/heads/main", "HEAD", "refs/tags/v1^{}" (a peeled annotated tag)
  std::string oid;   // 40 lowercase hex digits
};

struct FetchPlan {
  std::vector<std::string> refspecs;  // what git_remote_download asks for
  // The object the ref names (a commit, or an annotated tag to peel), for a named ref or a
  // full id a ref advertises; empty when the commit is found by `commit_prefix` after fetching.
  std::string oid;
  std::string refname;        // the advertised ref fetched, "" when all branches and tags are
  std::string commit_prefix;  // lowercase hex: the commit id asked for, full or abbreviated
};

// NOT_FOUND "git: ref 'x' not found in <url> (branches: a, b; tags: v1)" when `ref` names no
// advertised ref and is no commit id; `url` is the display form.
Result<FetchPlan> plan_fetch(std::string_view ref, const std::vector<AdvertisedRef>& advertised,
                             std::string_view url);

// "branches: main, dev; tags: v1, v2" (at most a few of each, "…" when there are more), or
// "no branches or tags" for an empty repository: the hint of a NOT_FOUND.
std::string describe_refs(const std::vector<AdvertisedRef>& advertised);

}  // namespace ignite::git
