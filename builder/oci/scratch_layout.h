// An OCI layout in a fresh directory, removed with everything in it when the object goes away:
// where blobs are staged on their way somewhere else (a registry copy's downloads, blobs read
// back from a registry to be verified), never a store's own layout.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "builder/oci/oci_layout.h"
#include "builder/util/status.h"

namespace ignite::oci {

class ScratchLayout {
 public:
  // A new directory `parent`/`prefix`XXXXXX (parent made when missing) holding an empty layout
  // at oci/.
  static Result<ScratchLayout> make(const std::string& parent, std::string_view prefix);
  // The same under $TMPDIR, or /tmp.
  static Result<ScratchLayout> make_in_tmp(std::string_view prefix);

  ScratchLayout(ScratchLayout&& other) noexcept;
  ScratchLayout& operator=(ScratchLayout&&) = delete;
  ~ScratchLayout();

  OciLayout& layout() { return *layout_; }
  const std::string& dir() const { return dir_; }

 private:
  explicit ScratchLayout(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
  std::optional<OciLayout> layout_;
};

}  // namespace ignite::oci
