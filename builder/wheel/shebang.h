// The "#!python" rewrite of scripts from <name>.data/scripts/, over data that arrives in
// chunks. As pip (and pypa/installer) do it: when the file starts with the bytes "#!python"
// ("#!python", "#!pythonw", "#!python3.11 -E", ...), its whole first line, arguments included,
// becomes "#!<interpreter>\n"; any other file is copied unchanged.
#pragma once

#include <string>
#include <string_view>

namespace ignite::wheel {

class ShebangRewriter {
 public:
  explicit ShebangRewriter(std::string_view interpreter);

  // Appends to `out` the rewritten bytes that `chunk` completes (possibly none yet).
  void feed(std::string_view chunk, std::string& out);
  // Appends what is still held back at the end of the file.
  void finish(std::string& out);

 private:
  enum class State { kPrefix, kSkipFirstLine, kCopy };
  std::string shebang_;
  State state_ = State::kPrefix;
  std::string prefix_;  // the first bytes, until there are enough to decide
};

}  // namespace ignite::wheel
