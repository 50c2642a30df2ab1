// Progress of long work (a build's stages, making the base image), shown to a person on a
// terminal and silent otherwise. Pipelines report; the command decides where it goes.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace ignite::pipeline {

class Progress {
 public:
  virtual ~Progress() = default;
  // A stage begins; the previous one, if any, ends.
  virtual void stage(std::string_view name, std::string_view detail) = 0;
  // A remark within the current stage.
  virtual void note(std::string_view text) = 0;
  // The work is over: ends the last stage.
  virtual void done() = 0;
};

class NullProgress final : public Progress {
 public:
  void stage(std::string_view, std::string_view) override {}
  void note(std::string_view) override {}
  void done() override {}
};

// "  intake    examples/greet: 2 files ............ 3 ms" lines on `out` (stderr).
class StreamProgress final : public Progress {
 public:
  explicit StreamProgress(std::ostream& out) : out_(out) {}
  void stage(std::string_view name, std::string_view detail) override;
  void note(std::string_view text) override;
  void done() override;

 private:
  void finish_stage();
  std::ostream& out_;
  bool open_ = false;
  std::vector<std::string> notes_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace ignite::pipeline
