// The context-sensitive tokenizer behind PEP 508 requirements and markers, a port of
// pypa/packaging's _tokenizer.py: the parser asks "is the next token a <kind>?" at the
// current position, and the kind decides how the text is cut (a URL runs to the next
// space, a specifier follows PEP 440's grammar, ...). The rules are packaging's regular
// expressions written out by hand; where a rule uses `\b` or `\s`, "word" means ASCII
// letters, digits, '_' and any non-ASCII byte (Python's `\w` treats most non-ASCII
// letters as word characters), and whitespace means Python's `\s`.
//
// Syntax errors carry packaging's message and span, and format the way packaging's
// ParserSyntaxError prints:  "<message>\n    <source>\n    <~~~^ under the span>".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ignite::python {

enum class Pep508Token {
  kLeftParenthesis,
  kRightParenthesis,
  kLeftBracket,
  kRightBracket,
  kSemicolon,
  kComma,
  kQuotedString,            // '...' or "..." (no escapes recognized by the cut)
  kOp,                      // === == ~= != <= >= < >
  kBoolOp,                  // and, or (whole words)
  kIn,                      // in
  kNot,                     // not
  kVariable,                // a marker variable name, e.g. python_version, os.name
  kSpecifier,               // one PEP 440 clause, e.g. ">= 1.0" or "===foo"
  kAt,                      // @
  kUrl,                     // anything up to a space or tab
  kIdentifier,              // a name: [A-Za-z0-9][A-Za-z0-9._-]* on word boundaries
  kVersionPrefixTrail,      // ".*"
  kVersionLocalLabelTrail,  // "+local.label" (lowercase)
  kWhitespace,              // spaces and tabs only
  kEnd,
};

// A syntax error at a span of the source (end is exclusive; the caret goes under `end`).
struct Pep508SyntaxError {
  std::string message;
  std::size_t span_start = 0;
  std::size_t span_end = 0;
};

// packaging's str(ParserSyntaxError): the message, then the source and a marker line,
// each indented by four spaces.
std::string format_syntax_error(const Pep508SyntaxError& error, std::string_view source);

class Pep508Tokenizer {
 public:
  explicit Pep508Tokenizer(std::string_view source) : source_(source) {}

  std::string_view source() const { return source_; }
  std::size_t position() const { return position_; }

  // Whether a token of this kind starts at the current position; on success it becomes
  // the pending token, which read() must take before the next check().
  bool check(Pep508Token kind);
  // The same without making it pending.
  bool peek(Pep508Token kind) const;
  // Takes the pending token and returns its text.
  std::string_view read();
  // Reads a token of this kind if there is one.
  void consume(Pep508Token kind) {
    if (check(kind)) read();
  }

  // The first syntax error of the parse; parsers stop at it.
  void fail(std::string message, std::optional<std::size_t> span_start = std::nullopt,
            std::optional<std::size_t> span_end = std::nullopt);
  // check() and read(), or fail with "Expected <expected>" and return nullopt.
  std::optional<std::string_view> expect(Pep508Token kind, std::string_view expected);
  bool failed() const { return error_.has_value(); }
  const std::optional<Pep508SyntaxError>& error() const { return error_; }

 private:
  std::size_t match_length(Pep508Token kind) const;  // npos when it does not match

  std::string_view source_;
  std::size_t position_ = 0;
  std::size_t pending_length_ = 0;
  bool has_pending_ = false;
  std::optional<Pep508SyntaxError> error_;
};

// Length of the PEP 440 specifier clause at the start of `text` as packaging's
// Specifier regex cuts it (operator, optional whitespace, version), or npos.
std::size_t match_specifier_clause(std::string_view text);

}  // namespace ignite::python
