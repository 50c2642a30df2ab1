// PEP 508 dependency specifiers ("requests[security] >=2.8.1, ==2.8.* ; python_version <
// '2.7'", "pkg @ https://host/pkg-1.0-py3-none-any.whl"), as pypa/packaging 26 parses them.
//
// Grammar (packaging's _parser.py; WS is spaces and tabs):
//   requirement         = WS? IDENTIFIER WS? extras WS? requirement_details END
//   extras              = ( '[' WS? (IDENTIFIER (WS? ',' WS? IDENTIFIER)*)? WS? ']' )?
//   requirement_details = '@' WS? URL ( WS ( ';' marker WS? )? )?
//                       | specifier WS? ( ';' marker WS? )?
//   specifier           = '(' WS? version_many WS? ')' | WS? version_many WS?
//   version_many        = ( SPECIFIER ( WS? ',' WS? SPECIFIER )* ','? )?
// IDENTIFIER is [A-Za-z0-9][A-Za-z0-9._-]* ending on a word boundary; URL is any run of
// characters other than space and tab; SPECIFIER is one PEP 440 clause. The old
// parenthesized form "pkg (>=1,<2)" is the '(' branch. A line break anywhere is an error.
//
// Errors are packaging's InvalidRequirement text after "invalid requirement: ", e.g.
//   invalid requirement: Expected semicolon (after name with no version specifier) or end
//       name 1.0
//            ^
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/python/marker.h"
#include "builder/python/specifier.h"
#include "builder/util/status.h"

namespace ignite::python {

class Requirement {
 public:
  // INVALID_ARGUMENT "invalid requirement: <packaging's message, source and caret line>".
  static Result<Requirement> parse(std::string_view text);
  // The same with the message exactly packaging's str(InvalidRequirement), for callers
  // that word the error themselves (pip's requirements-file messages).
  static Result<Requirement> parse_unprefixed(std::string_view text);

  // packaging's str(Requirement): name[extras]specifier, or name[extras] @ url, then
  // "; marker" (" ; marker" after a URL). Extras sorted, specifier clauses sorted.
  // parse(to_string()) == *this.
  std::string to_string() const;

  // The name as written (not normalized).
  const std::string& name() const { return name_; }
  // PEP 503 normalized: "Foo_Bar" -> "foo-bar".
  std::string canonical_name() const;
  // The extras as written, sorted and without duplicates.
  const std::vector<std::string>& extras() const { return extras_; }
  const std::optional<std::string>& url() const { return url_; }
  const SpecifierSet& specifier() const { return specifier_; }
  const std::optional<Marker>& marker() const { return marker_; }

  // The same requirement with another marker (or none).
  Requirement with_marker(std::optional<Marker> marker) const;

  // packaging 26's equality: canonical names, canonical extras, specifier sets, URLs and
  // markers equal. hash() agrees with it.
  friend bool operator==(const Requirement& a, const Requirement& b);
  std::size_t hash() const;

 private:
  Requirement(std::string name, std::vector<std::string> extras, std::optional<std::string> url,
              SpecifierSet specifier, std::optional<Marker> marker);
  friend class RequirementParser;

  std::string name_;
  std::vector<std::string> extras_;
  std::optional<std::string> url_;
  SpecifierSet specifier_;
  std::optional<Marker> marker_;
};

}  // namespace ignite::python

template <>
struct std::hash<ignite::python::Requirement> {
  std::size_t operator()(const ignite::python::Requirement& r) const noexcept { return r.hash(); }
};
