// The marker part of the PEP 508 grammar, for the requirement parser and Marker::parse.
// Internal to ignite_python.
#pragma once

#include <optional>

#include "builder/python/marker.h"
#include "builder/python/pep508_tokenizer.h"

namespace ignite::python {

// packaging's _parse_marker at the tokenizer's position: marker_atom (BOOLOP marker_atom)*.
// nullopt on a syntax error, which the tokenizer then holds.
std::optional<MarkerExpression> parse_marker_expression(Pep508Tokenizer& tokenizer);

}  // namespace ignite::python
