#include "builder/wheel/shebang.h"

#include <algorithm>

namespace ignite::wheel {
namespace {

constexpr std::string_view kMarker = "#!python";

}  // namespace

ShebangRewriter::ShebangRewriter(std::string_view interpreter)
    : shebang_("#!" + std::string(interpreter) + "\n") {}

void ShebangRewriter::feed(std::string_view chunk, std::string& out) {
  if (state_ == State::kPrefix) {
    const std::size_t take = std::min(chunk.size(), kMarker.size() - prefix_.size());
    prefix_.append(chunk.substr(0, take));
    chunk.remove_prefix(take);
    if (prefix_.size() < kMarker.size()) return;
    if (prefix_ == kMarker) {
      out += shebang_;
      state_ = State::kSkipFirstLine;
    } else {
      out += prefix_;
      state_ = State::kCopy;
    }
    prefix_.clear();
  }
  if (state_ == State::kSkipFirstLine) {
    const std::size_t nl = chunk.find('\n');
    if (nl == std::string_view::npos) return;
    chunk.remove_prefix(nl + 1);
    state_ = State::kCopy;
  }
  out += chunk;
}

void ShebangRewriter::finish(std::string& out) {
  if (state_ == State::kPrefix) out += prefix_;  // shorter than "#!python": unchanged
  prefix_.clear();
  state_ = State::kCopy;
}

}  // namespace ignite::wheel
