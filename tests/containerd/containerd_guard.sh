#!/bin/sh
# containerd_guard.sh SOCKET: the safety net beside each test's private containerd
# (containerd_server.h). It starts in a session of its own with stdin the read end of a pipe whose
# write end only the test process holds, and waits for end of file: the test closing it after
# stopping its containerd, or the test process ending however it ends (a crash, SIGKILL, ctest's
# timeout). Then it kills what that containerd started and what outlives it: every runc shim
# serving SOCKET (`containerd-shim-runc-v2 -namespace NS -id ID -address SOCKET`) and the container
# it runs (runc delete --force, in runc's state directory for that namespace, as the shim has it),
# and the container's root filesystem mount.
# After a clean stop there is nothing left to find. The test's containerd itself stops on its own
# (PR_SET_PDEATHSIG).
set -u
socket=$1
cat >/dev/null
newline='
'
for cmdline in /proc/[0-9]*/cmdline; do
  pid=${cmdline#/proc/}
  pid=${pid%/cmdline}
  # Processes come and go meanwhile: one gone since the glob is skipped, silently.
  args=$({ tr '\0' '\n' <"$cmdline"; } 2>/dev/null) || continue
  IFS=$newline
  set -f
  # shellcheck disable=SC2086
  set -- $args
  set +f
  unset IFS
  if [ $# -eq 0 ] || [ "${1##*/}" != containerd-shim-runc-v2 ]; then continue; fi
  ns='' id='' address=''
  while [ $# -gt 1 ]; do
    case $1 in
      -namespace) ns=$2 ;;
      -id) id=$2 ;;
      -address) address=$2 ;;
    esac
    shift
  done
  if [ "$address" != "$socket" ] || [ -z "$ns" ] || [ -z "$id" ]; then continue; fi
  bundle=$(readlink "/proc/$pid/cwd")  # the shim runs in the container's bundle
  echo "containerd_guard: $socket was left with container $ns/$id (shim $pid): removing both"
  /usr/sbin/runc --root "/run/containerd/runc/$ns" delete --force "$id"
  kill -TERM "$pid"
  # The container's root filesystem, an overlay mount the shim would have unmounted.
  if [ -n "$bundle" ] && mountpoint -q "$bundle/rootfs"; then umount "$bundle/rootfs"; fi
done
