#include "builder/git/deadline_stream.h"

#include <git2.h>
#include <git2/sys/stream.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace ignite::git {
namespace {

using Clock = std::chrono::steady_clock;

thread_local Clock::time_point t_deadline = Clock::time_point::max();
thread_local bool t_deadline_reached = false;

struct DeadlineStream {
  git_stream parent;  // first: libgit2 holds a git_stream* to this object
  std::string host, port;
  int fd = -1;
};

DeadlineStream* self(git_stream* s) { return reinterpret_cast<DeadlineStream*>(s); }

// Waits for `events` on `fd` until the thread's deadline: 0 when ready, else an errno
// (ETIMEDOUT at the deadline).
int wait_for(int fd, short events) {
  for (;;) {
    int timeout_ms = -1;
    if (t_deadline != Clock::time_point::max()) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(t_deadline - Clock::now()).count();
      if (left <= 0) {
        t_deadline_reached = true;
        return ETIMEDOUT;
      }
      // Woken at least once a minute, to recheck the clock (poll's int milliseconds).
      timeout_ms = static_cast<int>(std::min<long long>(left, 60'000));
    }
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, timeout_ms);
    if (n > 0) return 0;
    if (n < 0 && errno != EINTR) return errno;
  }
}

void set_net_error(const std::string& what, int err) {
  const std::string cause = err == ETIMEDOUT && t_deadline_reached
                                ? std::string("no answer before the fetch's deadline")
                                : std::string(std::strerror(err));
  git_error_set_str(GIT_ERROR_NET, (what + ": " + cause).c_str());
}

int stream_connect(git_stream* s) {
  DeadlineStream* st = self(s);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(st->host.c_str(), st->port.c_str(), &hints, &found); rc != 0) {
    git_error_set_str(
        GIT_ERROR_NET,
        ("failed to resolve address for " + st->host + ": " + gai_strerror(rc)).c_str());
    return -1;
  }
  int last = ECONNREFUSED;
  for (addrinfo* a = found; a != nullptr && st->fd < 0; a = a->ai_next) {
    const int fd =
        ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      last = errno;
      continue;
    }
    int err = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      err = wait_for(fd, POLLOUT);
      socklen_t len = sizeof err;
      if (err == 0 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    }
    if (err == 0) {
      st->fd = fd;
    } else {
      last = err;
      ::close(fd);
      if (err == ETIMEDOUT && t_deadline_reached) break;
    }
  }
  ::freeaddrinfo(found);
  if (st->fd >= 0) return 0;
  set_net_error("failed to connect to " + st->host, last);
  return -1;
}

ssize_t stream_read(git_stream* s, void* data, size_t len) {
  DeadlineStream* st = self(s);
  for (;;) {
    const ssize_t n = ::recv(st->fd, data, len, 0);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      set_net_error("error receiving data from " + st->host, errno);
      return -1;
    }
    if (const int err = wait_for(st->fd, POLLIN); err != 0) {
      set_net_error("error receiving data from " + st->host, err);
      return -1;
    }
  }
}

ssize_t stream_write(git_stream* s, const char* data, size_t len, int) {
  DeadlineStream* st = self(s);
  size_t done = 0;
  while (done < len) {
    const ssize_t n = ::send(st->fd, data + done, len - done, MSG_NOSIGNAL);
    if (n >= 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      set_net_error("error sending data to " + st->host, errno);
      return -1;
    }
    if (const int err = wait_for(st->fd, POLLOUT); err != 0) {
      set_net_error("error sending data to " + st->host, err);
      return -1;
    }
  }
  return static_cast<ssize_t>(len);
}

int stream_close(git_stream* s) {
  DeadlineStream* st = self(s);
  if (st->fd >= 0) ::close(st->fd);
  st->fd = -1;
  return 0;
}

void stream_free(git_stream* s) { delete self(s); }

int stream_init(git_stream** out, const char* host, const char* port) {
  auto* st = new DeadlineStream{};
  st->parent.version = GIT_STREAM_VERSION;
  st->parent.encrypted = 0;
  st->parent.proxy_support = 0;
  st->parent.connect = stream_connect;
  st->parent.read = stream_read;
  st->parent.write = stream_write;
  st->parent.close = stream_close;
  st->parent.free = stream_free;
  st->host = host;
  st->port = port;
  *out = &st->parent;
  return 0;
}

}  // namespace

int register_deadline_stream() {
  git_stream_registration registration{};
  registration.version = GIT_STREAM_VERSION;
  registration.init = stream_init;
  registration.wrap = nullptr;
  return git_stream_register(GIT_STREAM_STANDARD, &registration);
}

ScopedSocketDeadline::ScopedSocketDeadline(Clock::time_point deadline) : previous_(t_deadline) {
  t_deadline = deadline;
  t_deadline_reached = false;
}

ScopedSocketDeadline::~ScopedSocketDeadline() { t_deadline = previous_; }

bool ScopedSocketDeadline::deadline_reached() const { return t_deadline_reached; }

}  // namespace ignite::git
