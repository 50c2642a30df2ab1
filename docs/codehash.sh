#!/usr/bin/env bash
# codeHash v1 of a directory, with coreutils and find alone (docs/codehash.md).
#   usage: docs/codehash.sh DIR [--list]
# Prints "sha256:<hex>"; with --list, first the lines that were hashed.
set -euo pipefail
dir=${1:?usage: codehash.sh DIR [--list]}
cd -- "$dir"

lines() {
  # Every regular file and symlink, sorted bytewise by path; directories are not listed.
  find . \( -type f -o -type l \) -printf '%P\0' | LC_ALL=C sort -z |
  while IFS= read -r -d '' path; do
    if [ -L "$path" ]; then
      kind=l
      sum=$(readlink -n -- "$path" | sha256sum | cut -d' ' -f1)
    else
      mode=$(stat -c %a -- "$path")
      # The owner-exec bit (0100) makes it "x".
      if (( (8#$mode & 8#100) != 0 )); then kind=x; else kind=f; fi
      sum=$(sha256sum < "$path" | cut -d' ' -f1)
    fi
    printf '%s %s %s\n' "$kind" "$sum" "$path"
  done
}

if [ "${2:-}" = "--list" ]; then lines; fi
echo "sha256:$(lines | sha256sum | cut -d' ' -f1)"
