#include "builder/registry/www_authenticate.h"
#include "builder/util/ascii.h"

#include <cctype>

namespace ignite::registry {
namespace {

// RFC 7230 tchar.
bool is_tchar(char c) {
  return is_ascii_alnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}
bool is_token68_char(char c) {
  return is_ascii_alnum(c) || std::string_view("-._~+/").find(c) != std::string_view::npos;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<std::vector<AuthChallenge>> parse() {
    std::vector<AuthChallenge> out;
    skip_list_separators();
    while (pos_ < text_.size()) {
      AuthChallenge challenge;
      challenge.scheme = ascii_lower(token());
      if (challenge.scheme.empty()) return error("expected an auth scheme");
      skip_spaces();
      IGNITE_RETURN_IF_ERROR(parse_challenge_body(challenge));
      out.push_back(std::move(challenge));
      skip_list_separators();
    }
    if (out.empty()) return invalid_argument("WWW-Authenticate header holds no challenge");
    return out;
  }

 private:
  // After the scheme: nothing, a token68, or parameters up to the next challenge's scheme.
  Status parse_challenge_body(AuthChallenge& challenge) {
    if (pos_ >= text_.size() || text_[pos_] == ',') return ok_status();
    const std::size_t start = pos_;
    // A token68 ("Basic dXNlcjpwYXNz") is followed by the end or ','; a parameter name by '='
    // and a value.
    const std::string_view t68 = take_while(is_token68_char);
    while (pos_ < text_.size() && text_[pos_] == '=') ++pos_;
    const std::size_t t68_end = pos_;
    skip_spaces();
    if (!t68.empty() && (pos_ >= text_.size() || text_[pos_] == ',')) {
      challenge.token68 = std::string(text_.substr(start, t68_end - start));
      return ok_status();
    }
    pos_ = start;
    while (pos_ < text_.size()) {
      const std::size_t param_start = pos_;
      std::string name = ascii_lower(token());
      skip_spaces();
      if (name.empty()) return error("expected a parameter name");
      if (pos_ >= text_.size() || text_[pos_] != '=') {
        pos_ = param_start;  // the next challenge's scheme
        return ok_status();
      }
      ++pos_;
      skip_spaces();
      std::string value;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        IGNITE_ASSIGN_OR_RETURN(value, quoted_string());
      } else {
        value = std::string(token());
        if (value.empty()) return error("expected a value for parameter \"" + name + "\"");
      }
      challenge.params[name] = std::move(value);
      skip_spaces();
      if (pos_ >= text_.size()) return ok_status();
      if (text_[pos_] != ',') return error("expected ',' after parameter \"" + name + "\"");
      skip_list_separators();
    }
    return ok_status();
  }

  Result<std::string> quoted_string() {
    ++pos_;  // opening quote
    std::string out;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (pos_ >= text_.size()) break;
        c = text_[pos_++];
      }
      out += c;
    }
    return error("unterminated quoted string");
  }

  std::string_view token() { return take_while(is_tchar); }

  template <typename Pred>
  std::string_view take_while(Pred pred) {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && pred(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  void skip_spaces() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  void skip_list_separators() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == ',')) {
      ++pos_;
    }
  }

  Status error(const std::string& what) const {
    return invalid_argument("WWW-Authenticate header: " + what + " at offset " +
                            std::to_string(pos_));
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

Result<std::vector<AuthChallenge>> parse_www_authenticate(std::string_view header) {
  return Parser(header).parse();
}

}  // namespace ignite::registry
