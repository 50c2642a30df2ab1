// A port of the marker half of packaging's _parser.py (recursive descent on the
// context-sensitive tokenizer), with the same error messages and spans.
#include <string>
#include <utility>

#include "builder/python/marker_grammar.h"
#include "builder/python/marker_string_literal.h"

namespace ignite::python {
namespace {

using T = Pep508Token;

class MarkerParser {
 public:
  explicit MarkerParser(Pep508Tokenizer& t) : t_(t) {}

  // marker = marker_atom (BOOLOP marker_atom)*
  std::optional<MarkerExpression> marker(int depth) {
    if (depth > kMaxMarkerDepth) {
      t_.fail("Marker expression nested deeper than " + std::to_string(kMaxMarkerDepth) +
              " parentheses");
      return std::nullopt;
    }
    MarkerExpression expression;
    std::optional<MarkerNode> first = atom(depth);
    if (!first) return std::nullopt;
    expression.terms.push_back(std::move(*first));
    while (t_.check(T::kBoolOp)) {
      expression.joins.push_back(t_.read() == "and" ? MarkerJoin::kAnd : MarkerJoin::kOr);
      std::optional<MarkerNode> next = atom(depth);
      if (!next) return std::nullopt;
      expression.terms.push_back(std::move(*next));
    }
    return expression;
  }

 private:
  // marker_atom = WS? '(' WS? marker WS? ')' WS? | WS? marker_item WS?
  std::optional<MarkerNode> atom(int depth) {
    t_.consume(T::kWhitespace);
    std::optional<MarkerNode> node;
    if (t_.check(T::kLeftParenthesis)) {
      std::size_t open_position = t_.position();
      t_.read();
      t_.consume(T::kWhitespace);
      std::optional<MarkerExpression> inner = marker(depth + 1);
      if (!inner) return std::nullopt;
      t_.consume(T::kWhitespace);
      if (!t_.check(T::kRightParenthesis)) {
        t_.fail("Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after marker expression",
                open_position);
        return std::nullopt;
      }
      t_.read();
      // A group of one term needs no parentheses: "(a)" is "a", "((a or b))" is "(a or b)".
      if (inner->terms.size() == 1) {
        node = std::move(inner->terms.front());
      } else {
        node = MarkerNode{std::move(*inner)};
      }
    } else {
      std::optional<MarkerComparison> comparison = item();
      if (!comparison) return std::nullopt;
      node = MarkerNode{std::move(*comparison)};
    }
    t_.consume(T::kWhitespace);
    return node;
  }

  // marker_item = WS? marker_var WS? marker_op WS? marker_var WS?
  std::optional<MarkerComparison> item() {
    t_.consume(T::kWhitespace);
    std::optional<MarkerOperand> lhs = operand();
    if (!lhs) return std::nullopt;
    t_.consume(T::kWhitespace);
    std::optional<MarkerOp> op = marker_op();
    if (!op) return std::nullopt;
    t_.consume(T::kWhitespace);
    std::optional<MarkerOperand> rhs = operand();
    if (!rhs) return std::nullopt;
    t_.consume(T::kWhitespace);
    return MarkerComparison{std::move(*lhs), *op, std::move(*rhs)};
  }

  // marker_var = VARIABLE | QUOTED_STRING
  std::optional<MarkerOperand> operand() {
    if (t_.check(T::kVariable)) {
      std::string name(t_.read());
      for (char& c : name) {
        if (c == '.') c = '_';
      }
      if (name == "python_implementation") name = "platform_python_implementation";
      return MarkerOperand{MarkerOperandKind::kVariable, std::move(name)};
    }
    if (t_.check(T::kQuotedString)) {
      std::size_t start = t_.position();
      std::string_view token = t_.read();
      std::optional<std::string> value = eval_marker_string_literal(token);
      if (!value) {
        t_.fail("Invalid quoted string", start, start + token.size());
        return std::nullopt;
      }
      return MarkerOperand{MarkerOperandKind::kString, std::move(*value)};
    }
    t_.fail("Expected a marker variable or quoted string");
    return std::nullopt;
  }

  // marker_op = IN | NOT IN | OP
  std::optional<MarkerOp> marker_op() {
    if (t_.check(T::kIn)) {
      t_.read();
      return MarkerOp::kIn;
    }
    if (t_.check(T::kNot)) {
      t_.read();
      if (!t_.expect(T::kWhitespace, "whitespace after 'not'")) return std::nullopt;
      if (!t_.expect(T::kIn, "'in' after 'not'")) return std::nullopt;
      return MarkerOp::kNotIn;
    }
    if (t_.check(T::kOp)) {
      std::string_view op = t_.read();
      if (op == "===") return MarkerOp::kArbitraryEqual;
      if (op == "==") return MarkerOp::kEqual;
      if (op == "~=") return MarkerOp::kCompatible;
      if (op == "!=") return MarkerOp::kNotEqual;
      if (op == "<=") return MarkerOp::kLessEqual;
      if (op == ">=") return MarkerOp::kGreaterEqual;
      if (op == "<") return MarkerOp::kLess;
      return MarkerOp::kGreater;
    }
    t_.fail("Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in");
    return std::nullopt;
  }

  Pep508Tokenizer& t_;
};

}  // namespace

std::optional<MarkerExpression> parse_marker_expression(Pep508Tokenizer& tokenizer) {
  return MarkerParser(tokenizer).marker(0);
}

Result<Marker> Marker::parse(std::string_view text) {
  Pep508Tokenizer tokenizer(text);
  std::optional<MarkerExpression> expression = parse_marker_expression(tokenizer);
  if (expression) tokenizer.expect(T::kEnd, "end of marker expression");
  if (tokenizer.failed()) {
    return invalid_argument("invalid marker: " + format_syntax_error(*tokenizer.error(), text));
  }
  return from_expression(std::move(*expression));
}

}  // namespace ignite::python
