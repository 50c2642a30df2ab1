#include "src/cli/unavailable_wait.h"

#include <algorithm>
#include <thread>

namespace ignite::cli {

bool UnavailableWait::wait_after(const Status& status, const StopSignals& stop) {
  if (status.code() != Code::kUnavailable || stop.requested()) return false;
  err_ << "ignite-builder: " << who_ << ": " << status.message() << "; trying again in "
       << pause_.count() << " s\n";
  err_.flush();
  for (auto waited = std::chrono::milliseconds(0); waited < pause_ && !stop.requested();
       waited += std::chrono::milliseconds(100)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  pause_ = std::min(pause_ * 2, kLongest);
  return !stop.requested();
}

}  // namespace ignite::cli
