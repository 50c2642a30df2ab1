// The text of a requirements file from its bytes, as pip's auto_decode finds it: a byte
// order mark (UTF-8, UTF-32 LE/BE, UTF-16 LE/BE, checked in that order) decides; else a
// PEP 263 declaration ("# -*- coding: latin-1 -*-") on one of the first two lines; else
// UTF-8. Where pip would fall back to the builder's locale for bytes that are not UTF-8,
// this refuses the file instead: the locale of the machine that builds is no property of
// the user's file. Declared encodings understood: UTF-8, Latin-1 and ASCII with their
// Python aliases.
#pragma once

#include <string>
#include <string_view>

#include "builder/util/status.h"

namespace ignite::python {

// The text as UTF-8. INVALID_ARGUMENT "<name>: ..." naming the encoding problem.
Result<std::string> decode_requirements_file(std::string_view bytes, std::string_view name);

}  // namespace ignite::python
