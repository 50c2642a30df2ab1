// UniqueFd: owns a file descriptor and closes it when it goes away.
#pragma once

#include <unistd.h>

#include <utility>

namespace ignite {

class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }

  int get() const { return fd_; }
  // Gives up ownership: the caller closes it (e.g. to check close()'s result).
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

}  // namespace ignite
