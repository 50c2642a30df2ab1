// The few Unicode rules the file name parsers need, without a Unicode library. Python
// applies full Unicode tables here; these cover the scripts names are written in
// (Latin-1, Latin Extended-A, Greek, Cyrillic) and treat other letters conservatively.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ignite::python {

// Decodes one UTF-8 character at the start of `text`: its code point and length, or
// length 0 for a malformed sequence.
struct DecodedChar {
  char32_t code_point = 0;
  std::size_t length = 0;
};
DecodedChar decode_utf8(std::string_view text);

// Lowercases ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic capitals; every other
// byte is copied unchanged.
std::string unicode_lower(std::string_view text);

// Python's \w for one code point (str.isalnum() or '_'), approximated: ASCII letters,
// digits and '_', and every non-ASCII code point outside the punctuation, symbol and
// space blocks.
bool is_word_char(char32_t c);

// Python's str.isidentifier(), with is_word_char standing in for the Unicode classes: a
// letter or '_' first (not a digit), then word characters. Malformed UTF-8 is refused.
bool is_identifier(std::string_view text);

}  // namespace ignite::python
