// wheel_license (spdx_sbom.h): the declared license of a wheel from its core metadata, by
// PEP 639's rules for what a tool may infer.
#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "builder/attest/spdx_sbom.h"
#include "builder/util/ascii.h"
#include "builder/util/header_fields.h"

namespace ignite::attest {
namespace {

constexpr std::string_view kNoAssertion = "NOASSERTION";

// The identifiers a free-text License field may name (in any case; written as spelled here).
constexpr std::array<std::string_view, 19> kKnownIds = {
    "MIT",           "BSD-2-Clause",      "BSD-3-Clause",     "Apache-2.0",
    "ISC",           "MPL-2.0",           "PSF-2.0",          "Unlicense",
    "GPL-2.0-only",  "GPL-2.0-or-later",  "GPL-3.0-only",     "GPL-3.0-or-later",
    "LGPL-2.0-only", "LGPL-2.0-or-later", "LGPL-2.1-only",    "LGPL-2.1-or-later",
    "LGPL-3.0-only", "LGPL-3.0-or-later", "AGPL-3.0-or-later"};

// The license classifiers that name one license unambiguously (PEP 639, appendix "Mapping
// License Classifiers to SPDX Identifiers"). "Apache Software License", "BSD License" and the
// GPL/LGPL classifiers without a version or an "or later" do not: they are left unmapped, and
// tools MUST NOT infer a license from them.
struct ClassifierId {
  std::string_view classifier;
  std::string_view id;
};
constexpr std::array<ClassifierId, 8> kClassifiers = {{
    {"License :: OSI Approved :: MIT License", "MIT"},
    {"License :: OSI Approved :: ISC License (ISCL)", "ISC"},
    {"License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"},
    {"License :: OSI Approved :: Python Software Foundation License", "PSF-2.0"},
    {"License :: OSI Approved :: The Unlicense (Unlicense)", "Unlicense"},
    {"License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)",
     "GPL-2.0-or-later"},
    {"License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)",
     "GPL-3.0-or-later"},
    {"License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)",
     "LGPL-3.0-or-later"},
}};

// The words and parentheses of an expression; nullopt for a byte no expression holds.
std::optional<std::vector<std::string>> tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  std::string word;
  for (char c : text) {
    const bool id_char = is_ascii_alnum(c) || c == '-' || c == '.' || c == '+' || c == ':';
    if (id_char) {
      word += c;
      continue;
    }
    if (!word.empty()) tokens.push_back(std::move(word));
    word.clear();
    if (c == '(' || c == ')') {
      tokens.emplace_back(1, c);
    } else if (c != ' ' && c != '\t') {
      return std::nullopt;
    }
  }
  if (!word.empty()) tokens.push_back(std::move(word));
  return tokens;
}

// Operators are matched in either case and written in capitals.
bool is_operator(std::string_view w) {
  const std::string lower = ascii_lower(w);
  return lower == "and" || lower == "or" || lower == "with";
}

// An SPDX license expression (SPDX 2.3 annex D) over `tokens`, by recursive descent:
//   expression := term (("AND" | "OR") term)*
//   term       := "(" expression ")" | id ["WITH" id]
// In `known_only` mode every id must be one of kKnownIds (matched without regard to case and
// rewritten as spelled there) and WITH is not taken: what a free-text License field may hold.
class ExpressionReader {
 public:
  ExpressionReader(std::vector<std::string> tokens, bool known_only)
      : tokens_(std::move(tokens)), known_only_(known_only) {}

  // The expression, its words joined by single spaces; nullopt when it is not one.
  std::optional<std::string> read() {
    if (tokens_.empty() || !expression() || pos_ != tokens_.size()) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
      const bool glue = i > 0 && tokens_[i - 1] != "(" && tokens_[i] != ")";
      if (glue) out += ' ';
      out += tokens_[i];
    }
    return out;
  }

 private:
  // Whether the next token is the operator `name` ("AND"); if so, it is taken and respelled.
  bool take_operator(std::string_view name) {
    if (pos_ >= tokens_.size() || ascii_lower(tokens_[pos_]) != ascii_lower(name)) return false;
    tokens_[pos_++] = std::string(name);
    return true;
  }

  bool expression() {
    if (!term()) return false;
    while (take_operator("AND") || take_operator("OR")) {
      if (!term()) return false;
    }
    return true;
  }

  bool term() {
    if (pos_ >= tokens_.size()) return false;
    if (tokens_[pos_] == "(") {
      ++pos_;
      if (!expression() || pos_ >= tokens_.size() || tokens_[pos_] != ")") return false;
      ++pos_;
      return true;
    }
    if (!id(tokens_[pos_])) return false;
    ++pos_;
    if (!known_only_ && take_operator("WITH")) {
      if (pos_ >= tokens_.size() || !id(tokens_[pos_])) return false;
      ++pos_;
    }
    return true;
  }

  // Checks (and, in known_only mode, respells) one identifier.
  bool id(std::string& word) {
    if (word == "(" || word == ")" || is_operator(word)) return false;
    // A LicenseRef or DocumentRef would have to be defined in the SBOM itself, which holds no
    // license texts: such an expression is not written (the caller says NOASSERTION).
    if (word.find(':') != std::string::npos || ascii_lower(word).starts_with("licenseref-")) {
      return false;
    }
    if (!known_only_) {
      // idstring = 1*(ALPHA / DIGIT / "-" / "."), an optional "+" at the end.
      std::string_view w = word;
      if (w.ends_with('+')) w.remove_suffix(1);
      return !w.empty() && w.find('+') == std::string_view::npos;
    }
    const std::string lower = ascii_lower(word);
    for (std::string_view known : kKnownIds) {
      if (ascii_lower(known) == lower) {
        word = std::string(known);
        return true;
      }
    }
    return false;
  }

  std::vector<std::string> tokens_;
  bool known_only_;
  std::size_t pos_ = 0;
};

std::optional<std::string> read_expression(std::string_view text, bool known_only) {
  auto tokens = tokenize(text);
  if (!tokens) return std::nullopt;
  return ExpressionReader(std::move(*tokens), known_only).read();
}

// The one license the classifiers name, when they name exactly one unambiguously. Several
// licenses are not joined: PEP 639 calls their relationship (AND or OR) unknowable.
std::optional<std::string> classifier_license(const std::vector<HeaderField>& fields) {
  std::set<std::string_view> ids;
  for (const HeaderField& f : fields) {
    if (!same_header_name(f.name, "Classifier") || !f.value.starts_with("License :: ")) continue;
    if (f.value == "License :: OSI Approved") continue;  // a category, not a license
    const auto* hit = std::find_if(kClassifiers.begin(), kClassifiers.end(),
                                   [&](const ClassifierId& c) { return c.classifier == f.value; });
    if (hit == kClassifiers.end()) return std::nullopt;  // unknown or ambiguous: no inference
    ids.insert(hit->id);
  }
  if (ids.size() != 1) return std::nullopt;
  return std::string(*ids.begin());
}

}  // namespace

std::string wheel_license(std::string_view metadata) {
  const std::vector<HeaderField> fields = read_header_block(metadata);
  if (const HeaderField* f = find_header(fields, "License-Expression")) {
    if (auto expression = read_expression(f->value, /*known_only=*/false)) return *expression;
  }
  if (const HeaderField* f = find_header(fields, "License")) {
    if (auto expression = read_expression(f->value, /*known_only=*/true)) return *expression;
  }
  if (auto id = classifier_license(fields)) return *id;
  return std::string(kNoAssertion);
}

}  // namespace ignite::attest
