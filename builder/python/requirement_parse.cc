// A port of the requirement half of packaging's _parser.py, with its error messages and
// spans; the marker half is in marker_parse.cc.
#include <algorithm>
#include <string>
#include <utility>

#include "builder/python/marker_grammar.h"
#include "builder/python/pep508_tokenizer.h"
#include "builder/python/requirement.h"

namespace ignite::python {

using T = Pep508Token;

class RequirementParser {
 public:
  explicit RequirementParser(std::string_view text) : text_(text), t_(text) {}

  Result<Requirement> run() {
    parse();
    if (t_.failed()) return invalid_argument(format_syntax_error(*t_.error(), text_));
    // packaging hands the collected clauses to SpecifierSet, whose error (a clause the
    // tokenizer let through, such as "===x,y") becomes the requirement's error.
    Result<SpecifierSet> specifier = SpecifierSet::parse(specifier_);
    if (!specifier.ok()) return invalid_argument(specifier.status().message());
    std::sort(extras_.begin(), extras_.end());
    extras_.erase(std::unique(extras_.begin(), extras_.end()), extras_.end());
    std::optional<Marker> marker;
    if (marker_) marker = Marker::from_expression(std::move(*marker_));
    std::optional<std::string> url;
    if (!url_.empty()) url = std::string(url_);
    return Requirement(std::string(name_), std::move(extras_), std::move(url),
                       std::move(specifier).value(), std::move(marker));
  }

 private:
  // requirement = WS? IDENTIFIER WS? extras WS? requirement_details END
  void parse() {
    t_.consume(T::kWhitespace);
    std::optional<std::string_view> name =
        t_.expect(T::kIdentifier, "package name at the start of dependency specifier");
    if (!name) return;
    name_ = *name;
    t_.consume(T::kWhitespace);
    if (!extras()) return;
    t_.consume(T::kWhitespace);
    if (!details()) return;
    t_.expect(T::kEnd, "end of dependency specifier");
  }

  // extras = ('[' WS? extras_list? WS? ']')?
  bool extras() {
    if (!t_.check(T::kLeftBracket)) return true;
    std::size_t open_position = t_.position();
    t_.read();
    t_.consume(T::kWhitespace);
    if (!extras_list()) return false;
    t_.consume(T::kWhitespace);
    if (!t_.check(T::kRightBracket)) {
      t_.fail("Expected matching RIGHT_BRACKET for LEFT_BRACKET, after extras", open_position);
      return false;
    }
    t_.read();
    return true;
  }

  // extras_list = IDENTIFIER (WS? ',' WS? IDENTIFIER)*
  bool extras_list() {
    if (!t_.check(T::kIdentifier)) return true;
    extras_.emplace_back(t_.read());
    while (true) {
      t_.consume(T::kWhitespace);
      if (t_.peek(T::kIdentifier)) {
        t_.fail("Expected comma between extra names");
        return false;
      }
      if (!t_.check(T::kComma)) return true;
      t_.read();
      t_.consume(T::kWhitespace);
      std::optional<std::string_view> extra = t_.expect(T::kIdentifier, "extra name after comma");
      if (!extra) return false;
      extras_.emplace_back(*extra);
    }
  }

  // requirement_details = '@' WS? URL (WS requirement_marker?)?
  //                     | specifier WS? requirement_marker?
  bool details() {
    if (t_.check(T::kAt)) {
      t_.read();
      t_.consume(T::kWhitespace);
      std::size_t url_start = t_.position();
      std::optional<std::string_view> url = t_.expect(T::kUrl, "URL after @");
      if (!url) return false;
      url_ = *url;
      if (t_.peek(T::kEnd)) return true;
      if (!t_.expect(T::kWhitespace, "whitespace after URL")) return false;
      if (t_.peek(T::kEnd)) return true;
      return requirement_marker(url_start, "semicolon (after URL and whitespace)");
    }
    std::size_t specifier_start = t_.position();
    if (!specifier()) return false;
    t_.consume(T::kWhitespace);
    if (t_.peek(T::kEnd)) return true;
    return requirement_marker(
        specifier_start,
        specifier_.empty()
            ? "semicolon (after name with no version specifier)"
            : "comma (within version specifier), semicolon (after version specifier)");
  }

  // requirement_marker = ';' marker WS?
  bool requirement_marker(std::size_t span_start, std::string_view expected) {
    if (!t_.check(T::kSemicolon)) {
      t_.fail("Expected " + std::string(expected) + " or end", span_start);
      return false;
    }
    t_.read();
    marker_ = parse_marker_expression(t_);
    if (!marker_) return false;
    t_.consume(T::kWhitespace);
    return true;
  }

  // specifier = '(' WS? version_many WS? ')' | WS? version_many WS?
  bool specifier() {
    std::optional<std::size_t> open_position;
    if (t_.check(T::kLeftParenthesis)) {
      open_position = t_.position();
      t_.read();
    }
    t_.consume(T::kWhitespace);
    if (!version_many()) return false;
    t_.consume(T::kWhitespace);
    if (!open_position) return true;
    if (!t_.check(T::kRightParenthesis)) {
      t_.fail("Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after version specifier",
              *open_position);
      return false;
    }
    t_.read();
    return true;
  }

  // version_many = (SPECIFIER (WS? ',' WS? SPECIFIER)*)?   (a trailing ',' is let through)
  bool version_many() {
    while (t_.check(T::kSpecifier)) {
      std::size_t span_start = t_.position();
      std::string_view clause = t_.read();
      specifier_ += clause;
      if (t_.peek(T::kVersionPrefixTrail)) {
        bool equality = clause.starts_with("==") || clause.starts_with("!=");
        t_.fail(equality ? ".* suffix cannot be used with pre-release, post-release, dev or "
                           "local versions"
                         : ".* suffix can only be used with `==` or `!=` operators",
                span_start, t_.position() + 1);
        return false;
      }
      if (t_.peek(T::kVersionLocalLabelTrail)) {
        t_.fail("Local version label can only be used with `==` or `!=` operators", span_start,
                t_.position());
        return false;
      }
      t_.consume(T::kWhitespace);
      if (!t_.check(T::kComma)) break;
      specifier_ += t_.read();
      t_.consume(T::kWhitespace);
    }
    return true;
  }

  std::string_view text_;
  Pep508Tokenizer t_;
  std::string_view name_;
  std::vector<std::string> extras_;
  std::string_view url_;
  std::string specifier_;
  std::optional<MarkerExpression> marker_;
};

Result<Requirement> Requirement::parse_unprefixed(std::string_view text) {
  return RequirementParser(text).run();
}

Result<Requirement> Requirement::parse(std::string_view text) {
  Result<Requirement> r = parse_unprefixed(text);
  if (!r.ok()) return r.status().with_context("invalid requirement");
  return r;
}

}  // namespace ignite::python
