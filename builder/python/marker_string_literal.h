// Quoted strings in markers. packaging reads them with Python's ast.literal_eval, so a
// marker value may hold escapes ('\t', '\x41', '\u00e9', '\\'); these two functions are
// that reading and its inverse.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ignite::python {

// The value of a quoted-string token ('...' or "...", quotes included) as
// ast.literal_eval computes it: escapes \\ \' \" \a \b \f \n \r \t \v \ooo \xhh \uXXXX
// \UXXXXXXXX and backslash-newline; an unknown escape keeps its backslash. nullopt where
// Python refuses the literal: a raw line break or NUL inside, a dangling backslash, a
// short \x/\u/\U escape, a code point past U+10FFFF, and \N{...} (the Unicode name
// database is not carried here). Code points are written as UTF-8 (a lone surrogate as
// its three-byte form); other bytes are kept as they are.
std::optional<std::string> eval_marker_string_literal(std::string_view token);

// A quoted string that eval_marker_string_literal() reads back as `value`. Like
// packaging it uses double quotes, or single quotes when the value holds a double quote;
// unlike packaging it escapes what would not read back (a backslash, a line break, NUL,
// or both kinds of quote), so the serialization of a marker always re-parses to it.
std::string quote_marker_value(std::string_view value);

}  // namespace ignite::python
