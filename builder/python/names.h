// Project names (PEP 503 normalization, the core metadata Name rule).
#pragma once

#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::python {

// PEP 503: lowercase, and every run of '-', '_' and '.' becomes one '-'
// ("Foo.__Bar" -> "foo-bar"). Never fails; see validate_project_name for the rule on
// which names are acceptable. Lowercasing covers ASCII, Latin-1, Greek and Cyrillic
// letters; other scripts pass through unchanged.
std::string canonicalize_name(std::string_view name);

// The core metadata rule: ASCII letters and digits, with '.', '_' and '-' allowed inside
// but not at either end ("^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", any case).
// INVALID_ARGUMENT "invalid project name '<name>': <reason>".
Status validate_project_name(std::string_view name);

// validate_project_name, then canonicalize_name (packaging's validate=True).
Result<std::string> canonicalize_valid_name(std::string_view name);

// Whether the name is already in PEP 503 form: lowercase ASCII letters and digits and
// single '-' separators, starting and ending with a letter or digit.
bool is_normalized_name(std::string_view name);

}  // namespace ignite::python
