// Blocks of RFC 822-style header fields, as Python's core metadata (a wheel's METADATA) and
// dpkg's status file (deb822, one block a package) write them:
//
//   Name: value                  a field; the name is what precedes the first ':'
//    continued                   a line starting with a space or tab continues the value
//                                an empty line ends the block
//
// A folded value is joined with one space per line, each part trimmed of blanks. A line with
// no ':' is skipped, and so is a continuation before any field: readers take what they know and
// ignore the rest, as pip and dpkg-query do with fields they do not use.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ignite {

struct HeaderField {
  std::string name;   // as written; compare with same_header_name
  std::string value;  // trimmed, folded lines joined with spaces
  std::size_t line;   // 1-based, of the field's first line
};

struct HeaderBlock {
  std::vector<HeaderField> fields;
  std::size_t first_line = 0;  // 1-based, of the block's first line
};

// The fields before the first empty line: the headers of a METADATA file, whose body follows.
std::vector<HeaderField> read_header_block(std::string_view text);

// Every block of `text`, in order; runs of empty lines between blocks are one separator.
std::vector<HeaderBlock> read_header_blocks(std::string_view text);

// Field names compare without regard to ASCII case ("License" is "license").
bool same_header_name(std::string_view a, std::string_view b);

// The value of the first field named `name`, or nullptr.
const HeaderField* find_header(const std::vector<HeaderField>& fields, std::string_view name);

}  // namespace ignite
