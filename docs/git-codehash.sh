#!/usr/bin/env bash
# codeHash v1 (docs/codehash.md) of a git source, from a repository alone: the tree of COMMIT at
# SUBDIR, every file's bytes exactly as its blob, as `ignite-builder build --git` builds it
# (docs/git-sources.md). Not through `git archive` or a checkout: both apply .gitattributes filters
# (CRLF, ident, LFS), which the builder does not.
#
#   docs/git-codehash.sh REPO COMMIT[:SUBDIR] [--list]
set -euo pipefail
repo=${1:?usage: git-codehash.sh REPO COMMIT[:SUBDIR] [--list]}
rev=${2:?usage: git-codehash.sh REPO COMMIT[:SUBDIR] [--list]}

lines() {
  # Every blob and symlink under the tree, sorted bytewise by path (the field after the tab).
  git -C "$repo" ls-tree -r -z "$rev" | LC_ALL=C sort -z -t$'\t' -k2 |
  while IFS= read -r -d '' entry; do
    path=${entry#*$'\t'}
    read -r mode _ oid <<< "${entry%%$'\t'*}"
    case $mode in
      100644) kind=f ;;
      100755) kind=x ;;
      120000) kind=l ;;
      *) echo "git-codehash.sh: $path: mode $mode (a submodule) is refused" >&2; exit 1 ;;
    esac
    printf '%s %s %s\n' "$kind" "$(git -C "$repo" cat-file blob "$oid" | sha256sum | cut -d' ' -f1)" "$path"
  done
}

if [ "${3:-}" = "--list" ]; then lines; fi
echo "sha256:$(lines | sha256sum | cut -d' ' -f1)"
