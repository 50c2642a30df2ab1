#include "builder/python/pep508_tokenizer.h"

#include <array>
#include <cassert>

#include "builder/python/ascii_text.h"

namespace ignite::python {
namespace {

constexpr std::size_t kNoMatch = std::string_view::npos;

bool is_word_byte(char ch) {
  unsigned char c = static_cast<unsigned char>(ch);
  return is_ascii_alnum(ch) || ch == '_' || c >= 0x80;
}

// Python's `\b` at index i of s.
bool word_boundary(std::string_view s, std::size_t i) {
  bool before = i > 0 && is_word_byte(s[i - 1]);
  bool after = i < s.size() && is_word_byte(s[i]);
  return before != after;
}

// `\b<word>\b` at pos.
std::size_t match_word(std::string_view s, std::size_t pos, std::string_view word) {
  if (s.substr(pos, word.size()) != word) return kNoMatch;
  if (!word_boundary(s, pos) || !word_boundary(s, pos + word.size())) return kNoMatch;
  return word.size();
}

// The marker variables packaging's VARIABLE rule knows, PEP 345 dotted spellings included.
constexpr std::array<std::string_view, 20> kVariableSpellings = {
    "python_version",
    "python_full_version",
    "os.name",
    "os_name",
    "sys.platform",
    "sys_platform",
    "platform_release",
    "platform_system",
    "platform.version",
    "platform_version",
    "platform.machine",
    "platform_machine",
    "platform.python_implementation",
    "platform_python_implementation",
    "python_implementation",
    "implementation_name",
    "implementation_version",
    "extras",
    "extra",
    "dependency_groups",
};

bool is_separator(std::string_view t, std::size_t i) {
  return i < t.size() && (t[i] == '-' || t[i] == '_' || t[i] == '.');
}

bool digit_at(std::string_view t, std::size_t i) { return i < t.size() && is_ascii_digit(t[i]); }

std::size_t skip_digits(std::string_view t, std::size_t i) {
  while (digit_at(t, i)) ++i;
  return i;
}

bool iequals_at(std::string_view t, std::size_t i, std::string_view word) {
  if (i > t.size() || t.size() - i < word.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k) {
    if (ascii_lower_char(t[i + k]) != word[k]) return false;
  }
  return true;
}

// `[-_\.]?(<labels>)[-_\.]?[0-9]*` taking the first alternative that matches, as the
// regex engine does when everything after the group is optional.
template <std::size_t N>
std::size_t match_labelled(std::string_view t, std::size_t i,
                           const std::array<std::string_view, N>& labels) {
  for (bool with_separator : {true, false}) {
    std::size_t j = i;
    if (with_separator) {
      if (!is_separator(t, j)) continue;
      ++j;
    }
    for (std::string_view label : labels) {
      if (!iequals_at(t, j, label)) continue;
      std::size_t k = j + label.size();
      if (is_separator(t, k)) ++k;
      return skip_digits(t, k);
    }
  }
  return kNoMatch;
}

constexpr std::array<std::string_view, 8> kPreLabels = {"alpha", "beta", "preview", "pre",
                                                        "a",     "b",    "c",       "rc"};
constexpr std::array<std::string_view, 3> kPostLabels = {"post", "rev", "r"};
constexpr std::array<std::string_view, 1> kDevLabels = {"dev"};

std::size_t match_post(std::string_view t, std::size_t i) {
  if (i < t.size() && t[i] == '-' && digit_at(t, i + 1)) return skip_digits(t, i + 1);
  return match_labelled(t, i, kPostLabels);
}

// `[a-z0-9]+(?:[-_\.][a-z0-9]+)*` from i (case per `ignore_case`), or kNoMatch.
std::size_t match_local_segments(std::string_view t, std::size_t i, bool ignore_case) {
  auto label_char = [&](std::size_t k) {
    if (k >= t.size()) return false;
    char c = ignore_case ? ascii_lower_char(t[k]) : t[k];
    return is_ascii_digit(c) || is_ascii_lower(c);
  };
  if (!label_char(i)) return kNoMatch;
  while (label_char(i)) ++i;
  while (is_separator(t, i) && label_char(i + 1)) {
    i += 1;
    while (label_char(i)) ++i;
  }
  return i;
}

std::size_t skip_python_whitespace(std::string_view t, std::size_t i) {
  while (std::size_t n = python_whitespace_length(t.substr(i))) i += n;
  return i;
}

std::size_t identifier_length(std::string_view s, std::size_t pos) {
  if (pos >= s.size() || !is_ascii_alnum(s[pos]) || !word_boundary(s, pos)) return kNoMatch;
  std::size_t end = pos + 1;
  while (end < s.size() &&
         (is_ascii_alnum(s[end]) || s[end] == '.' || s[end] == '_' || s[end] == '-')) {
    ++end;
  }
  // Backtrack to the longest name that ends on a word boundary.
  for (; end > pos; --end) {
    if (word_boundary(s, end)) return end - pos;
  }
  return kNoMatch;
}

}  // namespace

std::size_t match_specifier_clause(std::string_view t) {
  enum class Kind { kEqual, kCompatible, kOrdered };
  Kind kind;
  std::size_t i = 0;
  if (t.starts_with("===")) {
    i = skip_python_whitespace(t, 3);
    while (i < t.size() && t[i] != ';' && t[i] != ')' &&
           python_whitespace_length(t.substr(i)) == 0) {
      ++i;
    }
    return i;
  } else if (t.starts_with("==") || t.starts_with("!=")) {
    kind = Kind::kEqual;
    i = 2;
  } else if (t.starts_with("~=")) {
    kind = Kind::kCompatible;
    i = 2;
  } else if (t.starts_with("<=") || t.starts_with(">=")) {
    kind = Kind::kOrdered;
    i = 2;
  } else if (t.starts_with("<") || t.starts_with(">")) {
    kind = Kind::kOrdered;
    i = 1;
  } else {
    return kNoMatch;
  }
  i = skip_python_whitespace(t, i);
  if (i < t.size() && (t[i] == 'v' || t[i] == 'V')) ++i;
  // Epoch: digits followed by '!'.
  if (std::size_t j = skip_digits(t, i); j > i && j < t.size() && t[j] == '!') i = j + 1;
  // Release: digits, then ".digits" segments (at least one for ~=).
  if (!digit_at(t, i)) return kNoMatch;
  i = skip_digits(t, i);
  int segments = 0;
  while (i < t.size() && t[i] == '.' && digit_at(t, i + 1)) {
    i = skip_digits(t, i + 1);
    ++segments;
  }
  if (kind == Kind::kCompatible && segments == 0) return kNoMatch;
  if (kind == Kind::kEqual && t.substr(i).starts_with(".*")) return i + 2;
  if (std::size_t j = match_labelled(t, i, kPreLabels); j != kNoMatch) i = j;
  if (std::size_t j = match_post(t, i); j != kNoMatch) i = j;
  if (std::size_t j = match_labelled(t, i, kDevLabels); j != kNoMatch) i = j;
  if (kind == Kind::kEqual && i < t.size() && t[i] == '+') {
    if (std::size_t j = match_local_segments(t, i + 1, /*ignore_case=*/true); j != kNoMatch) {
      i = j;
    }
  }
  return i;
}

std::string format_syntax_error(const Pep508SyntaxError& error, std::string_view source) {
  // Python counts characters, not bytes: count UTF-8 lead bytes up to each offset.
  auto columns = [&](std::size_t offset) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < offset && i < source.size(); ++i) {
      if ((static_cast<unsigned char>(source[i]) & 0xC0) != 0x80) ++n;
    }
    return n + (offset > source.size() ? offset - source.size() : 0);
  };
  std::size_t start = columns(error.span_start);
  std::size_t end = columns(error.span_end);
  std::string out = error.message;
  out += "\n    ";
  out += source;
  out += "\n    ";
  out.append(start, ' ');
  if (end > start) out.append(end - start, '~');
  out += '^';
  return out;
}

std::size_t Pep508Tokenizer::match_length(Pep508Token kind) const {
  std::string_view s = source_;
  std::size_t pos = position_;
  std::string_view rest = s.substr(pos);
  auto single = [&](char c) -> std::size_t { return !rest.empty() && rest[0] == c ? 1 : kNoMatch; };
  switch (kind) {
    case Pep508Token::kLeftParenthesis:
      return single('(');
    case Pep508Token::kRightParenthesis:
      return single(')');
    case Pep508Token::kLeftBracket:
      return single('[');
    case Pep508Token::kRightBracket:
      return single(']');
    case Pep508Token::kSemicolon:
      return single(';');
    case Pep508Token::kComma:
      return single(',');
    case Pep508Token::kAt:
      return single('@');
    case Pep508Token::kQuotedString: {
      if (rest.empty() || (rest[0] != '\'' && rest[0] != '"')) return kNoMatch;
      std::size_t close = rest.find(rest[0], 1);
      return close == std::string_view::npos ? kNoMatch : close + 1;
    }
    case Pep508Token::kOp:
      for (std::string_view op : {"===", "==", "~=", "!=", "<=", ">=", "<", ">"}) {
        if (rest.starts_with(op)) return op.size();
      }
      return kNoMatch;
    case Pep508Token::kBoolOp:
      for (std::string_view word : {"or", "and"}) {
        if (std::size_t n = match_word(s, pos, word); n != kNoMatch) return n;
      }
      return kNoMatch;
    case Pep508Token::kIn:
      return match_word(s, pos, "in");
    case Pep508Token::kNot:
      return match_word(s, pos, "not");
    case Pep508Token::kVariable:
      for (std::string_view name : kVariableSpellings) {
        if (std::size_t n = match_word(s, pos, name); n != kNoMatch) return n;
      }
      return kNoMatch;
    case Pep508Token::kSpecifier:
      return match_specifier_clause(rest);
    case Pep508Token::kUrl: {
      std::size_t n = 0;
      while (n < rest.size() && rest[n] != ' ' && rest[n] != '\t') ++n;
      return n > 0 ? n : kNoMatch;
    }
    case Pep508Token::kIdentifier:
      return identifier_length(s, pos);
    case Pep508Token::kVersionPrefixTrail:
      return rest.starts_with(".*") ? 2 : kNoMatch;
    case Pep508Token::kVersionLocalLabelTrail: {
      if (rest.empty() || rest[0] != '+') return kNoMatch;
      return match_local_segments(rest, 1, /*ignore_case=*/false);
    }
    case Pep508Token::kWhitespace: {
      std::size_t n = 0;
      while (n < rest.size() && (rest[n] == ' ' || rest[n] == '\t')) ++n;
      return n > 0 ? n : kNoMatch;
    }
    case Pep508Token::kEnd:
      return rest.empty() ? 0 : kNoMatch;
  }
  return kNoMatch;
}

bool Pep508Tokenizer::check(Pep508Token kind) {
  assert(!has_pending_ && "a checked token must be read before the next check");
  std::size_t n = match_length(kind);
  if (n == kNoMatch) return false;
  has_pending_ = true;
  pending_length_ = n;
  return true;
}

bool Pep508Tokenizer::peek(Pep508Token kind) const { return match_length(kind) != kNoMatch; }

std::string_view Pep508Tokenizer::read() {
  assert(has_pending_);
  std::string_view text = source_.substr(position_, pending_length_);
  position_ += pending_length_;
  has_pending_ = false;
  return text;
}

void Pep508Tokenizer::fail(std::string message, std::optional<std::size_t> span_start,
                           std::optional<std::size_t> span_end) {
  if (error_) return;  // keep the first error
  error_ = Pep508SyntaxError{std::move(message), span_start.value_or(position_),
                             span_end.value_or(position_)};
}

std::optional<std::string_view> Pep508Tokenizer::expect(Pep508Token kind,
                                                        std::string_view expected) {
  if (!check(kind)) {
    fail("Expected " + std::string(expected));
    return std::nullopt;
  }
  return read();
}

}  // namespace ignite::python
