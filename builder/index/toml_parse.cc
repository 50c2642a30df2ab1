// The TOML reader (toml.h): a recursive-descent parser over the whole text.
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "builder/index/toml.h"
#include "builder/util/utf8.h"

namespace ignite::index::toml {
namespace {

constexpr int kMaxNesting = 64;

bool is_bare_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}


Value make_table(bool is_inline) {
  auto t = std::make_unique<Table>();
  t->is_inline = is_inline;
  Value v;
  v.v = std::move(t);
  return v;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Result<Table> document() {
    if (auto bad = find_invalid_utf8(s_)) {
      pos_ = *bad;
      return error("invalid UTF-8");
    }
    Table root;
    Table* current = &root;
    while (true) {
      skip_ws();
      if (eof()) break;
      if (peek() == '#' || peek() == '\n' || peek() == '\r') {
        IGNITE_RETURN_IF_ERROR(end_of_line());
        continue;
      }
      if (peek() == '[') {
        IGNITE_ASSIGN_OR_RETURN(current, header(root));
      } else {
        IGNITE_RETURN_IF_ERROR(key_value(*current));
      }
      skip_ws();
      IGNITE_RETURN_IF_ERROR(end_of_line());
    }
    return root;
  }

 private:
  bool eof() const { return pos_ >= s_.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < s_.size() ? s_[pos_ + ahead] : '\0';
  }
  bool starts_with(std::string_view p) const { return s_.substr(pos_).starts_with(p); }

  Status error(std::string_view reason) const {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < pos_ && i < s_.size(); ++i) {
      if (s_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return invalid_argument("line " + std::to_string(line) + ", column " + std::to_string(column) +
                            ": " + std::string(reason));
  }

  void skip_ws() {
    while (!eof() && (peek() == ' ' || peek() == '\t')) ++pos_;
  }

  // A comment (if any) and the line break, or the end of the text.
  Status end_of_line() {
    if (peek() == '#') {
      while (!eof() && peek() != '\n') {
        const unsigned char c = static_cast<unsigned char>(peek());
        if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
          return error("control character in a comment");
        ++pos_;
      }
    }
    if (eof()) return ok_status();
    if (peek() == '\r' && peek(1) == '\n') ++pos_;
    if (peek() != '\n') return error("expected the end of the line");
    ++pos_;
    return ok_status();
  }

  // Whitespace, comments and line breaks, as allowed inside arrays.
  Status skip_ws_comments_newlines() {
    while (true) {
      skip_ws();
      if (peek() == '#' || peek() == '\n' || (peek() == '\r' && peek(1) == '\n')) {
        IGNITE_RETURN_IF_ERROR(end_of_line());
        continue;
      }
      return ok_status();
    }
  }

  Result<std::vector<std::string>> key() {
    std::vector<std::string> parts;
    while (true) {
      skip_ws();
      if (peek() == '"') {
        if (starts_with("\"\"\"")) return error("a key cannot be a multi-line string");
        IGNITE_ASSIGN_OR_RETURN(std::string k, basic_string());
        parts.push_back(std::move(k));
      } else if (peek() == '\'') {
        if (starts_with("'''")) return error("a key cannot be a multi-line string");
        IGNITE_ASSIGN_OR_RETURN(std::string k, literal_string());
        parts.push_back(std::move(k));
      } else {
        const std::size_t start = pos_;
        while (!eof() && is_bare_key_char(peek())) ++pos_;
        if (pos_ == start) return error("expected a key");
        parts.emplace_back(s_.substr(start, pos_ - start));
      }
      skip_ws();
      if (peek() != '.') return parts;
      ++pos_;
    }
  }

  static std::string joined(const std::vector<std::string>& parts, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n && i < parts.size(); ++i) out += (i ? "." : "") + parts[i];
    return out;
  }

  Result<Table*> header(Table& root) {
    const bool array = starts_with("[[");
    pos_ += array ? 2 : 1;
    IGNITE_ASSIGN_OR_RETURN(std::vector<std::string> parts, key());
    if (array ? !starts_with("]]") : peek() != ']') {
      return error(array ? "expected ']]' after the table name"
                         : "expected ']' after the table name");
    }
    pos_ += array ? 2 : 1;
    Table* t = &root;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      auto [it, inserted] = t->entries.try_emplace(parts[i]);
      if (inserted) it->second = make_table(false);
      Value& v = it->second;
      if (Array* a = v.array(); a != nullptr && v.is_table_array) {
        t = a->back().table();
      } else if (Table* sub = v.table(); sub != nullptr && !sub->is_inline) {
        t = sub;
      } else {
        return error("'" + joined(parts, i + 1) + "' is already defined as a value");
      }
    }
    const std::string& last = parts.back();
    auto [it, inserted] = t->entries.try_emplace(last);
    Value& v = it->second;
    if (array) {
      if (inserted) {
        v.v = std::make_unique<Array>();
        v.is_table_array = true;
      } else if (v.array() == nullptr || !v.is_table_array) {
        return error("'" + joined(parts, parts.size()) +
                     "' is already defined, not as an array of tables");
      }
      v.array()->push_back(make_table(false));
      Table* fresh = v.array()->back().table();
      fresh->is_explicit = true;
      return fresh;
    }
    if (inserted) v = make_table(false);
    Table* sub = v.table();
    if (sub == nullptr || sub->is_inline || sub->is_explicit || sub->is_implicit_dotted) {
      return error("table '" + joined(parts, parts.size()) + "' is defined twice");
    }
    sub->is_explicit = true;
    return sub;
  }

  Status key_value(Table& table) {
    IGNITE_ASSIGN_OR_RETURN(std::vector<std::string> parts, key());
    if (peek() != '=') return error("expected '=' after a key");
    ++pos_;
    skip_ws();
    Table* t = &table;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      auto [it, inserted] = t->entries.try_emplace(parts[i]);
      if (inserted) {
        it->second = make_table(false);
        it->second.table()->is_implicit_dotted = true;
      }
      Table* sub = it->second.table();
      if (sub == nullptr || sub->is_inline || sub->is_explicit) {
        return error("'" + joined(parts, i + 1) + "' is already defined");
      }
      t = sub;
    }
    if (t->entries.count(parts.back()) > 0) {
      return error("key '" + joined(parts, parts.size()) + "' is defined twice");
    }
    IGNITE_ASSIGN_OR_RETURN(Value v, value(0));
    t->entries.emplace(parts.back(), std::move(v));
    return ok_status();
  }

  Result<Value> value(int depth) {
    if (depth > kMaxNesting) return error("nested too deeply");
    Value out;
    const char c = peek();
    if (c == '"') {
      IGNITE_ASSIGN_OR_RETURN(std::string str,
                              starts_with("\"\"\"") ? multiline_basic_string() : basic_string());
      out.v = std::move(str);
    } else if (c == '\'') {
      IGNITE_ASSIGN_OR_RETURN(std::string str,
                              starts_with("'''") ? multiline_literal_string() : literal_string());
      out.v = std::move(str);
    } else if (starts_with("true") && !is_bare_key_char(peek(4))) {
      pos_ += 4;
      out.v = true;
    } else if (starts_with("false") && !is_bare_key_char(peek(5))) {
      pos_ += 5;
      out.v = false;
    } else if (c == '[') {
      return array(depth);
    } else if (c == '{') {
      return inline_table(depth);
    } else {
      return scalar();
    }
    return out;
  }

  Result<Value> array(int depth) {
    ++pos_;
    auto items = std::make_unique<Array>();
    while (true) {
      IGNITE_RETURN_IF_ERROR(skip_ws_comments_newlines());
      if (peek() == ']') break;
      IGNITE_ASSIGN_OR_RETURN(Value v, value(depth + 1));
      items->push_back(std::move(v));
      IGNITE_RETURN_IF_ERROR(skip_ws_comments_newlines());
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != ']') return error("expected ',' or ']' in an array");
      break;
    }
    ++pos_;
    Value out;
    out.v = std::move(items);
    return out;
  }

  Result<Value> inline_table(int depth) {
    ++pos_;
    Value out = make_table(false);
    Table& t = *out.table();
    skip_ws();
    if (peek() == '}') {
      ++pos_;
      t.is_inline = true;
      return out;
    }
    while (true) {
      skip_ws();
      IGNITE_ASSIGN_OR_RETURN(std::vector<std::string> parts, key());
      if (peek() != '=') return error("expected '=' after a key");
      ++pos_;
      skip_ws();
      Table* target = &t;
      for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        auto [it, inserted] = target->entries.try_emplace(parts[i]);
        if (inserted) it->second = make_table(false);
        target = it->second.table();
        if (target == nullptr || target->is_inline)
          return error("'" + joined(parts, i + 1) + "' is already defined");
      }
      if (target->entries.count(parts.back()) > 0) {
        return error("key '" + joined(parts, parts.size()) + "' is defined twice");
      }
      IGNITE_ASSIGN_OR_RETURN(Value v, value(depth + 1));
      target->entries.emplace(parts.back(), std::move(v));
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') return error("expected ',' or '}' in an inline table");
      ++pos_;
      break;
    }
    t.is_inline = true;
    return out;
  }

  Status escape(std::string& out) {
    ++pos_;  // the backslash
    const char e = peek();
    ++pos_;
    switch (e) {
      case 'b':
        out += '\b';
        return ok_status();
      case 't':
        out += '\t';
        return ok_status();
      case 'n':
        out += '\n';
        return ok_status();
      case 'f':
        out += '\f';
        return ok_status();
      case 'r':
        out += '\r';
        return ok_status();
      case '"':
        out += '"';
        return ok_status();
      case '\\':
        out += '\\';
        return ok_status();
      case 'u':
      case 'U': {
        const std::size_t n = e == 'u' ? 4 : 8;
        if (pos_ + n > s_.size()) return error("short unicode escape");
        unsigned long cp = 0;
        for (std::size_t i = 0; i < n; ++i) {
          const char h = s_[pos_ + i];
          if (!std::isxdigit(static_cast<unsigned char>(h))) return error("bad unicode escape");
          cp = cp * 16 + static_cast<unsigned long>(
                             std::isdigit(static_cast<unsigned char>(h))
                                 ? h - '0'
                                 : std::tolower(static_cast<unsigned char>(h)) - 'a' + 10);
        }
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
          return error("unicode escape is not a scalar value");
        pos_ += n;
        append_utf8(out, cp);
        return ok_status();
      }
      default:
        --pos_;
        return error("unknown escape sequence");
    }
  }

  Status plain_char(std::string& out, bool multiline) {
    const unsigned char c = static_cast<unsigned char>(peek());
    if (c == '\n' && multiline) {
      out += '\n';
      ++pos_;
      return ok_status();
    }
    if (c == '\r' && multiline && peek(1) == '\n') {
      out += '\n';
      pos_ += 2;
      return ok_status();
    }
    if ((c < 0x20 && c != '\t') || c == 0x7f) return error("control character in a string");
    out += static_cast<char>(c);
    ++pos_;
    return ok_status();
  }

  Result<std::string> basic_string() {
    ++pos_;
    std::string out;
    while (true) {
      if (eof()) return error("unterminated string");
      if (peek() == '"') break;
      if (peek() == '\\') {
        IGNITE_RETURN_IF_ERROR(escape(out));
      } else {
        IGNITE_RETURN_IF_ERROR(plain_char(out, false));
      }
    }
    ++pos_;
    return out;
  }

  Result<std::string> literal_string() {
    ++pos_;
    std::string out;
    while (true) {
      if (eof()) return error("unterminated string");
      if (peek() == '\'') break;
      IGNITE_RETURN_IF_ERROR(plain_char(out, false));
    }
    ++pos_;
    return out;
  }

  void skip_first_newline() {
    if (peek() == '\n') {
      ++pos_;
    } else if (peek() == '\r' && peek(1) == '\n') {
      pos_ += 2;
    }
  }

  // The closing delimiter and up to two more quotes that belong to the content.
  bool closes(char q, std::string& out) {
    const std::string delim(3, q);
    if (!starts_with(delim)) return false;
    std::size_t extra = 0;
    while (extra < 2 && peek(3 + extra) == q) ++extra;
    out.append(extra, q);
    pos_ += 3 + extra;
    return true;
  }

  Result<std::string> multiline_basic_string() {
    pos_ += 3;
    skip_first_newline();
    std::string out;
    while (true) {
      if (eof()) return error("unterminated multi-line string");
      if (closes('"', out)) return out;
      if (peek() == '\\') {
        // A line-ending backslash trims the break and the whitespace after it.
        std::size_t p = pos_ + 1;
        while (p < s_.size() && (s_[p] == ' ' || s_[p] == '\t')) ++p;
        if (p < s_.size() &&
            (s_[p] == '\n' || (s_[p] == '\r' && p + 1 < s_.size() && s_[p + 1] == '\n'))) {
          pos_ = p;
          while (!eof() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r'))
            ++pos_;
          continue;
        }
        IGNITE_RETURN_IF_ERROR(escape(out));
      } else {
        IGNITE_RETURN_IF_ERROR(plain_char(out, true));
      }
    }
  }

  Result<std::string> multiline_literal_string() {
    pos_ += 3;
    skip_first_newline();
    std::string out;
    while (true) {
      if (eof()) return error("unterminated multi-line string");
      if (closes('\'', out)) return out;
      IGNITE_RETURN_IF_ERROR(plain_char(out, true));
    }
  }

  static bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
  }

  // Underscores only between digits; returns the text without them.
  static std::optional<std::string> strip_underscores(std::string_view s, bool hex) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '_') {
        auto digit = [&](char c) {
          return hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                     : std::isdigit(static_cast<unsigned char>(c)) != 0;
        };
        if (i == 0 || i + 1 == s.size() || !digit(s[i - 1]) || !digit(s[i + 1]))
          return std::nullopt;
        continue;
      }
      out += s[i];
    }
    return out;
  }

  Result<Value> scalar() {
    const std::size_t start = pos_;
    while (!eof() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_' ||
                      peek() == '+' || peek() == '-' || peek() == '.' || peek() == ':')) {
      ++pos_;
    }
    // "1979-05-27 07:32:00": a date, one space, a time.
    if (pos_ - start == 10 && s_[start + 4] == '-' && peek() == ' ' &&
        std::isdigit(static_cast<unsigned char>(peek(1)))) {
      ++pos_;
      while (!eof() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '+' ||
                        peek() == '-' || peek() == '.' || peek() == ':')) {
        ++pos_;
      }
    }
    std::string_view tok = s_.substr(start, pos_ - start);
    if (tok.empty()) return error("expected a value");
    Value out;
    if ((tok.size() >= 10 && all_digits(tok.substr(0, 4)) && tok[4] == '-' &&
         all_digits(tok.substr(5, 2)) && tok[7] == '-' && all_digits(tok.substr(8, 2))) ||
        (tok.size() >= 8 && all_digits(tok.substr(0, 2)) && tok[2] == ':' &&
         all_digits(tok.substr(3, 2)) && tok[5] == ':')) {
      out.v = Datetime{std::string(tok)};
      return out;
    }
    std::string_view body = tok;
    bool negative = false;
    if (body.starts_with('+') || body.starts_with('-')) {
      negative = body[0] == '-';
      body.remove_prefix(1);
    }
    if (body == "inf" || body == "nan") {
      out.v = body == "inf" ? (negative ? -HUGE_VAL : HUGE_VAL) : std::nan("");
      return out;
    }
    int base = 10;
    if (tok[0] != '+' && tok[0] != '-' && body.size() > 2 && body[0] == '0' &&
        (body[1] == 'x' || body[1] == 'o' || body[1] == 'b')) {
      base = body[1] == 'x' ? 16 : body[1] == 'o' ? 8 : 2;
      body.remove_prefix(2);
    }
    auto digits = strip_underscores(body, base == 16);
    if (!digits || digits->empty()) return error("invalid number '" + std::string(tok) + "'");
    const bool is_float = base == 10 && digits->find_first_of(".eE") != std::string::npos;
    if (is_float) {
      // Digits before '.', digits after it, an exponent with optional sign.
      const std::string& d = *digits;
      std::size_t i = 0;
      auto run = [&] {
        std::size_t b = i;
        while (i < d.size() && std::isdigit(static_cast<unsigned char>(d[i]))) ++i;
        return i - b;
      };
      const std::size_t int_digits = run();
      if (int_digits == 0 || (int_digits > 1 && d[0] == '0'))
        return error("invalid float '" + std::string(tok) + "'");
      if (i < d.size() && d[i] == '.') {
        ++i;
        if (run() == 0) return error("invalid float '" + std::string(tok) + "'");
      }
      if (i < d.size() && (d[i] == 'e' || d[i] == 'E')) {
        ++i;
        if (i < d.size() && (d[i] == '+' || d[i] == '-')) ++i;
        if (run() == 0) return error("invalid float '" + std::string(tok) + "'");
      }
      if (i != d.size()) return error("invalid float '" + std::string(tok) + "'");
      const double value = std::strtod(d.c_str(), nullptr);
      out.v = negative ? -value : value;
      return out;
    }
    for (char c : *digits) {
      const bool ok = base == 16   ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                      : base == 10 ? std::isdigit(static_cast<unsigned char>(c)) != 0
                      : base == 8  ? (c >= '0' && c <= '7')
                                   : (c == '0' || c == '1');
      if (!ok) return error("invalid number '" + std::string(tok) + "'");
    }
    if (base == 10 && digits->size() > 1 && (*digits)[0] == '0') {
      return error("invalid number '" + std::string(tok) + "': leading zero");
    }
    errno = 0;
    const std::string signed_digits = (negative ? "-" : "") + *digits;
    char* end = nullptr;
    const long long value = std::strtoll(signed_digits.c_str(), &end, base);
    if (errno == ERANGE) return error("integer '" + std::string(tok) + "' does not fit in 64 bits");
    out.v = static_cast<std::int64_t>(value);
    return out;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

Result<Table> parse(std::string_view text) { return Parser(text).document(); }

}  // namespace ignite::index::toml
