// Marker evaluation, following packaging 26's markers.py: the environment lookup with
// the context's defaults, PEP 685 normalization of extras, PEP 440 comparison for the
// version-typed variables and the string rules for everything else.
#include <set>
#include <string>
#include <utility>

#include "builder/python/ascii_text.h"
#include "builder/python/marker.h"
#include "builder/python/names.h"
#include "builder/python/specifier.h"

namespace ignite::python {
namespace {

bool is_version_key(std::string_view key) {
  return key == "python_version" || key == "python_full_version" ||
         key == "implementation_version" || key == "platform_release";
}

bool is_set_key(std::string_view key) { return key == "extras" || key == "dependency_groups"; }

// Whether a set holds `name` (already canonical) once its members are canonicalized.
bool contains_name(const std::set<std::string>& names, const std::string& name) {
  for (const std::string& n : names) {
    if (canonicalize_name(n) == name) return true;
  }
  return false;
}

// One side of a comparison after lookup: a string, or a set of names.
struct Side {
  std::string text;
  const std::set<std::string>* names = nullptr;
};

class Evaluator {
 public:
  Evaluator(const Marker& marker, const Environment& env, MarkerContext context)
      : marker_(marker), env_(env), context_(context) {}

  Result<bool> expression(const MarkerExpression& e) {
    // any(all(group)) over the groups split at "or"; every term is evaluated, as in
    // packaging, so an undefined comparison is reported even where it cannot matter.
    bool any_group = false;
    bool group_so_far = true;
    for (std::size_t i = 0; i < e.terms.size(); ++i) {
      if (i > 0 && e.joins[i - 1] == MarkerJoin::kOr) {
        any_group = any_group || group_so_far;
        group_so_far = true;
      }
      const MarkerNode& node = e.terms[i];
      Result<bool> term = std::holds_alternative<MarkerExpression>(node.value)
                              ? expression(std::get<MarkerExpression>(node.value))
                              : comparison(std::get<MarkerComparison>(node.value));
      if (!term.ok()) return term;
      group_so_far = group_so_far && *term;
    }
    return any_group || group_so_far;
  }

 private:
  Status error(std::string cause) const {
    return invalid_argument("evaluating marker " + quote_text(marker_.to_string()) + ": " +
                            std::move(cause));
  }

  Result<Side> lookup(const std::string& key) const {
    const Environment::Value* value = env_.find(key);
    Side side;
    if (key == "extra") {
      if (value == nullptr && context_ != MarkerContext::kMetadata) {
        return error("the environment has no value for 'extra'");
      }
      if (value != nullptr && std::holds_alternative<std::set<std::string>>(*value)) {
        side.names = &std::get<std::set<std::string>>(*value);
        return side;
      }
      std::string extra = value == nullptr ? "" : std::get<std::string>(*value);
      side.text = extra.empty() ? extra : canonicalize_name(extra);
      return side;
    }
    if (value == nullptr) {
      if (is_set_key(key) && context_ == MarkerContext::kLockFile) {
        static const std::set<std::string> kNone;
        side.names = &kNone;
        return side;
      }
      return error("the environment has no value for " + quote_text(key));
    }
    if (const auto* names = std::get_if<std::set<std::string>>(value)) {
      side.names = names;
      return side;
    }
    side.text = std::get<std::string>(*value);
    // platform.python_version() of an untagged build ends in '+', which is not PEP 440.
    if (key == "python_full_version" && !side.text.empty() && side.text.back() == '+') {
      side.text += "local";
    }
    return side;
  }

  Result<bool> comparison(const MarkerComparison& c) const {
    std::string key;
    Side lhs;
    Side rhs;
    if (c.lhs.kind == MarkerOperandKind::kVariable) {
      key = c.lhs.text;
      IGNITE_ASSIGN_OR_RETURN(lhs, lookup(key));
      rhs.text = c.rhs.text;  // packaging takes the name of a variable on the right as text
    } else {
      key = c.rhs.text;
      lhs.text = c.lhs.text;
      IGNITE_ASSIGN_OR_RETURN(rhs, lookup(key));
    }
    if (lhs.names != nullptr) {
      return error(quote_text(key) + " holds a set of names; test it as \"<name>\" in " + key);
    }
    if (is_set_key(key)) {
      lhs.text = canonicalize_name(lhs.text);
      if (rhs.names == nullptr) rhs.text = canonicalize_name(rhs.text);
    }
    return compare(lhs, c.op, rhs, key);
  }

  Result<bool> compare(const Side& lhs, MarkerOp op, const Side& rhs,
                       const std::string& key) const {
    if (is_version_key(key) && rhs.names == nullptr) {
      std::string spec_text = std::string(marker_op_text(op)) + rhs.text;
      if (Result<Specifier> spec = Specifier::parse(spec_text); spec.ok()) {
        return spec->contains(std::string_view(lhs.text), /*prereleases=*/true);
      }
    }
    auto equal = [&] { return rhs.names == nullptr && lhs.text == rhs.text; };
    switch (op) {
      case MarkerOp::kIn:
      case MarkerOp::kNotIn: {
        bool found = rhs.names != nullptr ? contains_name(*rhs.names, lhs.text)
                                          : rhs.text.find(lhs.text) != std::string::npos;
        return op == MarkerOp::kIn ? found : !found;
      }
      case MarkerOp::kLess:
      case MarkerOp::kGreater:
        return false;
      case MarkerOp::kLessEqual:
      case MarkerOp::kEqual:
      case MarkerOp::kGreaterEqual:
        return equal();
      case MarkerOp::kNotEqual:
        return !equal();
      case MarkerOp::kCompatible:
      case MarkerOp::kArbitraryEqual:
        break;
    }
    std::string rhs_text = rhs.names != nullptr ? "a set of names" : quote_text(rhs.text);
    return error("undefined comparison " + quote_text(lhs.text) + " " +
                 std::string(marker_op_text(op)) + " " + rhs_text + " (" + quote_text(key) +
                 " is not compared as a PEP 440 version here)");
  }

  const Marker& marker_;
  const Environment& env_;
  MarkerContext context_;
};

}  // namespace

Result<bool> Marker::evaluate(const Environment& env, MarkerContext context) const {
  return Evaluator(*this, env, context).expression(expression_);
}

}  // namespace ignite::python
