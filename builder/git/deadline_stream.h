// libgit2's plain sockets, replaced by ones that give up at the fetch's deadline.
//
// libgit2 1.5 has no timeout (its connect and server timeout options came in 1.7), and its
// progress callbacks only run while data flows: a host that drops packets, or a server that
// accepts and then says nothing, would hold a fetch for minutes or forever. libgit2 lets a
// program register its own "standard" stream (git_stream_register), which every transport uses
// for its TCP connection: git://, http://, and https:// under its TLS layer. This one connects
// and waits for each read and write with poll(), up to the deadline of the fetch running on the
// calling thread (libgit2 does a fetch's I/O on the thread that calls it).
#pragma once

#include <chrono>

namespace ignite::git {

// Makes this stream libgit2's standard stream. Called once, from ensure_libgit2(); returns
// libgit2's error code (0 on success).
int register_deadline_stream();

// For as long as it lives, socket I/O that libgit2 does on this thread gives up at `deadline`
// with a GIT_ERROR_NET error; deadline_reached() then says so.
class ScopedSocketDeadline {
 public:
  explicit ScopedSocketDeadline(std::chrono::steady_clock::time_point deadline);
  ~ScopedSocketDeadline();
  ScopedSocketDeadline(const ScopedSocketDeadline&) = delete;
  ScopedSocketDeadline& operator=(const ScopedSocketDeadline&) = delete;

  // Whether a socket wait on this thread ran into the deadline since this object was made.
  bool deadline_reached() const;

 private:
  std::chrono::steady_clock::time_point previous_;
};

}  // namespace ignite::git
