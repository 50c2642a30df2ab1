// PEP 508 environment markers ("python_version >= '3.8' and sys_platform == 'linux'"),
// parsed, printed and evaluated as pypa/packaging 26 does.
//
// Grammar (packaging's _parser.py; WS is spaces and tabs):
//   marker      = marker_atom (BOOLOP marker_atom)*            BOOLOP = "and" | "or"
//   marker_atom = WS? "(" WS? marker WS? ")" WS? | WS? marker_item WS?
//   marker_item = WS? marker_var WS? marker_op WS? marker_var WS?
//   marker_var  = VARIABLE | QUOTED_STRING
//   marker_op   = "in" | "not" WS "in" | "===" | "==" | "~=" | "!=" | "<=" | ">=" | "<" | ">"
// "and" binds tighter than "or". Variables may use the PEP 345 spellings (os.name,
// sys.platform, platform.version, platform.machine, platform.python_implementation) and
// setuptools' python_implementation; they are stored under their PEP 508 names.
// A comparison against `extra` has its string canonicalized when parsed (PEP 685).
//
// Evaluation (packaging's rules): for python_version, python_full_version,
// implementation_version and platform_release, when "<op><the string>" is a valid PEP 440
// specifier the other side is tested with it (pre-releases allowed); otherwise, and for
// every other variable, strings compare as strings: == and != exactly, in / not in as
// substring (or membership for the set-valued extras / dependency_groups, after name
// normalization), <= and >= as ==, < and > as false; ~= and === are an error.
//
// Differences from packaging, all for inputs packaging mishandles: a value holding a
// backslash, line break or both quote kinds is printed with escapes so that it reads back
// (packaging prints it raw); redundant double parentheses print as one pair (packaging
// drops both, changing the meaning of "a and ((b or c))"); nesting deeper than
// kMaxMarkerDepth is refused (packaging fails with RecursionError).
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "builder/python/environment.h"
#include "builder/util/status.h"

namespace ignite::python {

inline constexpr int kMaxMarkerDepth = 64;

enum class MarkerOp {
  kLess,
  kLessEqual,
  kEqual,
  kNotEqual,
  kGreaterEqual,
  kGreater,
  kCompatible,      // ~=
  kArbitraryEqual,  // ===
  kIn,
  kNotIn,
};

// "<", "not in", ...
std::string_view marker_op_text(MarkerOp op);

enum class MarkerOperandKind { kVariable, kString };

struct MarkerOperand {
  MarkerOperandKind kind;
  std::string text;  // the variable's PEP 508 name, or the string's value
  friend bool operator==(const MarkerOperand&, const MarkerOperand&) = default;
};

struct MarkerComparison {
  MarkerOperand lhs;
  MarkerOp op;
  MarkerOperand rhs;
};

enum class MarkerJoin { kAnd, kOr };

struct MarkerNode;

// terms[0] joins[0] terms[1] joins[1] ... : a flat sequence, as packaging keeps it;
// a parenthesized group is a nested expression.
struct MarkerExpression {
  std::vector<MarkerNode> terms;
  std::vector<MarkerJoin> joins;  // terms.size() - 1 of them
};

struct MarkerNode {
  std::variant<MarkerComparison, MarkerExpression> value;
};

// What a marker is evaluated for (packaging's EvaluateContext): core metadata gives
// `extra` the default "", a lock file gives `extras` and `dependency_groups` the empty
// set, a requirement adds nothing. The environment's own values win over these defaults.
enum class MarkerContext { kMetadata, kLockFile, kRequirement };

class Marker {
 public:
  // INVALID_ARGUMENT "invalid marker: <packaging's message, source and caret line>".
  static Result<Marker> parse(std::string_view text);
  // A parsed expression (from the requirement parser); canonicalizes `extra` values.
  static Marker from_expression(MarkerExpression expression);

  // packaging's str(Marker): normalized spacing and quotes, e.g.
  // 'python_version >= "3.8" and (os_name == "posix" or extra == "test")'.
  const std::string& to_string() const { return text_; }
  const MarkerExpression& expression() const { return expression_; }

  // INVALID_ARGUMENT when the marker names a key the environment lacks or compares in a
  // way packaging calls undefined; the message names the marker and the cause.
  Result<bool> evaluate(const Environment& env,
                        MarkerContext context = MarkerContext::kMetadata) const;

  // Equal when the normalized text is equal (packaging compares str()).
  friend bool operator==(const Marker& a, const Marker& b) { return a.text_ == b.text_; }

 private:
  explicit Marker(MarkerExpression expression);

  MarkerExpression expression_;
  std::string text_;
};

}  // namespace ignite::python
