#include "builder/oci/scratch_layout.h"

#include <cstdlib>
#include <filesystem>
#include <utility>

#include "builder/util/file_io.h"

namespace ignite::oci {

Result<ScratchLayout> ScratchLayout::make(const std::string& parent, std::string_view prefix) {
  IGNITE_ASSIGN_OR_RETURN(std::string dir, make_temp_dir(parent, prefix));
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
