// Parsing PEP 440 versions the way packaging.version.Version does: a hand-written
// scanner for VERSION_PATTERN (https://peps.python.org/pep-0440/#appendix-b), ASCII only,
// case-insensitive, with surrounding whitespace (Python's \s, Unicode included) allowed.
#include <cctype>
#include <string>
#include <string_view>

#include "builder/python/ascii_text.h"
#include "builder/python/version.h"

namespace ignite::python {
namespace {

bool is_sep(char c) { return c == '.' || c == '-' || c == '_'; }

// A cursor over the lowercased text; every consume_* leaves the position unchanged when
// it fails, so optional parts can be tried in order as the regular expression does.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : s_(text) {}
  bool done() const { return pos_ == s_.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0';
  }
  std::size_t pos() const { return pos_; }
  void reset(std::size_t pos) { pos_ = pos; }

  bool consume(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  bool consume_sep() {
    if (!is_sep(peek())) return false;
    ++pos_;
    return true;
  }
  bool consume_word(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  // One or more ASCII digits, returned without leading zeros.
  bool consume_number(std::string* out) {
    std::size_t start = pos_;
    while (is_ascii_digit(peek())) ++pos_;
    if (pos_ == start) return false;
    *out = strip_leading_zeros(s_.substr(start, pos_ - start));
    return true;
  }
  // "[-_.]?" then digits, both optional, as packaging's pattern has it after a label
  // ("[._-]?+" is possessive: a separator is taken even with no digits after it, so
  // "1.0a." is 1.0a0 and "1.0a..dev" is 1.0a0.dev0).
  std::string consume_implicit_number() {
    consume_sep();
    std::string n;
    if (consume_number(&n)) return n;
    return "0";
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

// The first of `words` found at the cursor (callers list longer spellings first).
std::string_view consume_one_of(Cursor& c, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words) {
    if (c.consume_word(w)) return w;
  }
  return {};
}

std::string_view normalize_pre_label(std::string_view label) {
  if (label == "alpha" || label == "a") return "a";
  if (label == "beta" || label == "b") return "b";
  return "rc";  // c, rc, pre, preview
}

}  // namespace

// Friend of Version: fills its private parts.
class VersionParser {
 public:
  static Result<Version> parse(std::string_view original) {
    std::string text = ascii_lower(trim_python_whitespace(original));
    auto fail = [&](std::string_view why) -> Status {
      return invalid_argument("invalid version " + quote_text(original) + ": " + std::string(why));
    };
    if (text.empty()) return fail("empty");
    Cursor c(text);
    Version v;
    c.consume('v');

    // Epoch: digits followed by '!'.
    std::size_t start = c.pos();
    std::string n;
    if (c.consume_number(&n) && c.consume('!')) {
      v.epoch_ = n;
    } else {
      c.reset(start);
    }

    // Release: N(.N)*.
    if (!c.consume_number(&n)) return fail("expected a release number such as 1.0");
    v.release_.push_back(n);
    while (c.peek() == '.' && is_ascii_digit(c.peek(1))) {
      c.consume('.');
      (void)c.consume_number(&n);
      v.release_.push_back(n);
    }

    // Pre-release: [-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?N?
    start = c.pos();
    c.consume_sep();
    std::string_view label =
        consume_one_of(c, {"alpha", "beta", "preview", "pre", "rc", "a", "b", "c"});
    if (!label.empty()) {
      v.pre_ = PreRelease{std::string(normalize_pre_label(label)), c.consume_implicit_number()};
    } else {
      c.reset(start);
    }

    // Post-release: -N, or [-_.]?(post|rev|r)[-_.]?N?
    start = c.pos();
    if (c.consume('-') && c.consume_number(&n)) {
      v.post_ = n;
    } else {
      c.reset(start);
      c.consume_sep();
      if (!consume_one_of(c, {"post", "rev", "r"}).empty()) {
        v.post_ = c.consume_implicit_number();
      } else {
        c.reset(start);
      }
    }

    // Dev release: [-_.]?dev[-_.]?N?
    start = c.pos();
    c.consume_sep();
    if (c.consume_word("dev")) {
      v.dev_ = c.consume_implicit_number();
    } else {
      c.reset(start);
    }

    // Local version: +[a-z0-9]+([-_.][a-z0-9]+)*
    if (c.consume('+')) {
      while (true) {
        std::size_t seg_start = c.pos();
        while (is_ascii_alnum(c.peek())) c.reset(c.pos() + 1);
        if (c.pos() == seg_start) return fail("empty or invalid local version segment");
        std::string seg = text.substr(seg_start, c.pos() - seg_start);
        v.local_.push_back(is_all_digits(seg) ? strip_leading_zeros(seg) : seg);
        if (c.done()) break;
        if (!c.consume_sep()) break;
      }
    }

    if (!c.done()) {
      return fail("unexpected " + quote_text(std::string_view(text).substr(c.pos())) + " after " +
                  quote_text(std::string_view(text).substr(0, c.pos())));
    }
    return v;
  }
};

Result<Version> Version::parse(std::string_view text) { return VersionParser::parse(text); }

}  // namespace ignite::python
