// The builder's version: part of every image's reproducibility inputs (docs/reproducibility.md).
#pragma once

namespace ignite {
inline constexpr const char* kBuilderVersion = "0.1.0";
}  // namespace ignite
