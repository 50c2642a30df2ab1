#include "builder/pipeline/progress.h"

#include <iomanip>
#include <ostream>

namespace ignite::pipeline {

void StreamProgress::stage(std::string_view name, std::string_view detail) {
  finish_stage();
  out_ << "  " << std::left << std::setw(8) << name << " " << detail << std::flush;
  started_ = std::chrono::steady_clock::now();
  open_ = true;
}

void StreamProgress::note(std::string_view text) {
  // Kept until the stage's line is finished, so the line stays whole on a terminal.
  if (open_) {
    notes_.emplace_back(text);
  } else {
    out_ << "           " << text << "\n" << std::flush;
  }
}

void StreamProgress::finish_stage() {
  if (!open_) return;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started_)
                .count();
  out_ << " (" << ms << " ms)\n";
  for (const auto& n : notes_) out_ << "           " << n << "\n";
  out_ << std::flush;
  notes_.clear();
  open_ = false;
}

void StreamProgress::done() { finish_stage(); }

}  // namespace ignite::pipeline
