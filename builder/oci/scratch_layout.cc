#include "builder/oci/scratch_layout.h"

#include <stdlib.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <utility>

namespace ignite::oci {

Result<ScratchLayout> ScratchLayout::make(const std::string& parent, std::string_view prefix) {
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) return errno_status("making " + parent, ec.value());
  std::string dir = parent + "/" + std::string(prefix) + "XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    return errno_status("making a scratch directory in " + parent, errno);
  }
  ScratchLayout scratch(dir);
  auto layout = OciLayout::open(dir + "/oci", CreateLayout::kIfMissing);
  if (!layout.ok()) return layout.status().with_context("opening the scratch layout");
  scratch.layout_.emplace(std::move(layout).value());
  return scratch;
}

Result<ScratchLayout> ScratchLayout::make_in_tmp(std::string_view prefix) {
  const char* tmp = std::getenv("TMPDIR");
  return make(tmp && *tmp ? tmp : "/tmp", prefix);
}

ScratchLayout::ScratchLayout(ScratchLayout&& other) noexcept
    : dir_(std::exchange(other.dir_, std::string())), layout_(std::move(other.layout_)) {}

ScratchLayout::~ScratchLayout() {
  if (dir_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace ignite::oci
