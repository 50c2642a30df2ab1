// Marker construction (PEP 685 normalization of `extra`) and packaging's str() form.
#include "builder/python/marker.h"

#include <utility>

#include "builder/python/marker_string_literal.h"
#include "builder/python/names.h"

namespace ignite::python {
namespace {

void normalize_extra_values(MarkerExpression& expression) {
  for (MarkerNode& node : expression.terms) {
    if (auto* group = std::get_if<MarkerExpression>(&node.value)) {
      normalize_extra_values(*group);
      continue;
    }
    auto& c = std::get<MarkerComparison>(node.value);
    auto is_extra = [](const MarkerOperand& o) {
      return o.kind == MarkerOperandKind::kVariable && o.text == "extra";
    };
    if (is_extra(c.lhs) && c.rhs.kind == MarkerOperandKind::kString) {
      c.rhs.text = canonicalize_name(c.rhs.text);
    } else if (is_extra(c.rhs) && c.lhs.kind == MarkerOperandKind::kString) {
      c.lhs.text = canonicalize_name(c.lhs.text);
    }
  }
}

void append_operand(std::string& out, const MarkerOperand& operand) {
  if (operand.kind == MarkerOperandKind::kVariable) {
    out += operand.text;
  } else {
    out += quote_marker_value(operand.text);
  }
}

// packaging's _format_marker: terms joined by single spaces around "and"/"or", groups
// in parentheses except at the top.
void append_expression(std::string& out, const MarkerExpression& expression, bool top) {
  if (!top) out += '(';
  for (std::size_t i = 0; i < expression.terms.size(); ++i) {
    if (i > 0) out += expression.joins[i - 1] == MarkerJoin::kAnd ? " and " : " or ";
    const MarkerNode& node = expression.terms[i];
    if (const auto* group = std::get_if<MarkerExpression>(&node.value)) {
      append_expression(out, *group, /*top=*/false);
      continue;
    }
    const auto& c = std::get<MarkerComparison>(node.value);
    append_operand(out, c.lhs);
    out += ' ';
    out += marker_op_text(c.op);
    out += ' ';
    append_operand(out, c.rhs);
  }
  if (!top) out += ')';
}

}  // namespace

std::string_view marker_op_text(MarkerOp op) {
  switch (op) {
    case MarkerOp::kLess:
      return "<";
    case MarkerOp::kLessEqual:
      return "<=";
    case MarkerOp::kEqual:
      return "==";
    case MarkerOp::kNotEqual:
      return "!=";
    case MarkerOp::kGreaterEqual:
      return ">=";
    case MarkerOp::kGreater:
      return ">";
    case MarkerOp::kCompatible:
      return "~=";
    case MarkerOp::kArbitraryEqual:
      return "===";
    case MarkerOp::kIn:
      return "in";
    case MarkerOp::kNotIn:
      return "not in";
  }
  return "?";
}

Marker Marker::from_expression(MarkerExpression expression) {
  // "(a or b)" as a whole marker prints without its parentheses, as packaging does.
  while (expression.terms.size() == 1) {
    auto* group = std::get_if<MarkerExpression>(&expression.terms.front().value);
    if (group == nullptr) break;
    MarkerExpression inner = std::move(*group);
    expression = std::move(inner);
  }
  normalize_extra_values(expression);
  return Marker(std::move(expression));
}

Marker::Marker(MarkerExpression expression) : expression_(std::move(expression)) {
  append_expression(text_, expression_, /*top=*/true);
}

}  // namespace ignite::python
