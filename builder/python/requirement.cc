// Requirement's printed form, equality and hash (packaging's __str__, __eq__, __hash__).
#include "builder/python/requirement.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "builder/python/ascii_text.h"
#include "builder/python/names.h"

namespace ignite::python {
namespace {

std::vector<std::string> canonical_extras(const std::vector<std::string>& extras) {
  std::vector<std::string> out;
  out.reserve(extras.size());
  for (const std::string& e : extras) out.push_back(canonicalize_name(e));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void hash_combine(std::size_t& seed, std::size_t value) {
  seed ^= value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
}

}  // namespace

Requirement::Requirement(std::string name, std::vector<std::string> extras,
                         std::optional<std::string> url, SpecifierSet specifier,
                         std::optional<Marker> marker)
    : name_(std::move(name)),
      extras_(std::move(extras)),
      url_(std::move(url)),
      specifier_(std::move(specifier)),
      marker_(std::move(marker)) {}

std::string Requirement::to_string() const {
  std::string out = name_;
  if (!extras_.empty()) {
    out += '[';
    for (std::size_t i = 0; i < extras_.size(); ++i) {
      if (i > 0) out += ',';
      out += extras_[i];
    }
    out += ']';
  }
  if (!specifier_.empty()) out += specifier_.to_string();
  if (url_) {
    out += " @ ";
    out += *url_;
    if (marker_) out += ' ';
  }
  if (marker_) {
    out += "; ";
    out += marker_->to_string();
  }
  return out;
}

std::string Requirement::canonical_name() const { return canonicalize_name(name_); }

Requirement Requirement::with_marker(std::optional<Marker> marker) const {
  Requirement copy = *this;
  copy.marker_ = std::move(marker);
  return copy;
}

bool operator==(const Requirement& a, const Requirement& b) {
  return canonicalize_name(a.name_) == canonicalize_name(b.name_) &&
         canonical_extras(a.extras_) == canonical_extras(b.extras_) &&
         a.specifier_ == b.specifier_ && a.url_ == b.url_ && a.marker_ == b.marker_;
}

std::size_t Requirement::hash() const {
  std::hash<std::string> h;
  std::size_t seed = h(canonical_name());
  for (const std::string& e : canonical_extras(extras_)) hash_combine(seed, h(e));
  // Clauses by operator and canonical version: coarser than SpecifierSet's equality
  // (which keeps trailing zeros for ~=), so equal requirements always hash alike.
  std::vector<std::string> clauses;
  for (const Specifier& s : specifier_.specifiers()) {
    std::string clause(op_symbol(s.op()));
    clause += s.version() ? canonicalize_version(*s.version()) : ascii_lower(s.version_text());
    if (s.is_wildcard()) clause += ".*";
    clauses.push_back(std::move(clause));
  }
  std::sort(clauses.begin(), clauses.end());
  clauses.erase(std::unique(clauses.begin(), clauses.end()), clauses.end());
  for (const std::string& c : clauses) hash_combine(seed, h(c));
  hash_combine(seed, h(url_.value_or("")));
  hash_combine(seed, h(marker_ ? marker_->to_string() : ""));
  return seed;
}

}  // namespace ignite::python
