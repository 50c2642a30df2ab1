#include "builder/python/requirements_file_options.h"

#include <algorithm>
#include <array>
#include <functional>

namespace ignite::python {
namespace {

bool is_shlex_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

enum class Arity { kFlag, kValue };

// What an option does with its value; returns an error message or "".
using Apply = std::function<std::string(LineOptions&, const std::string&)>;

struct OptionSpec {
  std::string_view long_name;
  std::string_view alias;  // a second long spelling, or ""
  char short_name;         // or 0
  Arity arity;
  Apply apply;
};

std::vector<std::string> split_commas(const std::string& value) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t comma = value.find(',', start);
    if (comma == std::string::npos) comma = value.size();
    if (comma > start) out.push_back(value.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string append_to(std::vector<std::string> LineOptions::*field, LineOptions& o,
                      const std::string& v) {
  (o.*field).push_back(v);
  return "";
}

const std::vector<OptionSpec>& option_table() {
  using O = LineOptions;
  auto append = [](std::vector<std::string> O::*field) {
    return [field](O& o, const std::string& v) { return append_to(field, o, v); };
  };
  auto flag = [](bool O::*field) {
    return [field](O& o, const std::string&) {
      o.*field = true;
      return std::string();
    };
  };
  auto names = [](std::vector<std::string> O::*field) {
    return [field](O& o, const std::string& v) {
      for (std::string& n : split_commas(v)) (o.*field).push_back(std::move(n));
      return std::string();
    };
  };
  static const std::vector<OptionSpec> table = {
      {"--index-url", "--pypi-url", 'i', Arity::kValue,
       [](O& o, const std::string& v) {
         o.index_url = v;
         return std::string();
       }},
      {"--extra-index-url", "", 0, Arity::kValue, append(&O::extra_index_urls)},
      {"--no-index", "", 0, Arity::kFlag, flag(&O::no_index)},
      {"--constraint", "", 'c', Arity::kValue, append(&O::constraints)},
      {"--requirement", "", 'r', Arity::kValue, append(&O::requirements)},
      {"--editable", "", 'e', Arity::kValue, append(&O::editables)},
      {"--find-links", "", 'f', Arity::kValue, append(&O::find_links)},
      {"--no-binary", "", 0, Arity::kValue, append(&O::no_binary)},
      {"--only-binary", "", 0, Arity::kValue, append(&O::only_binary)},
      {"--prefer-binary", "", 0, Arity::kFlag, flag(&O::prefer_binary)},
      {"--require-hashes", "", 0, Arity::kFlag, flag(&O::require_hashes)},
      {"--pre", "", 0, Arity::kFlag, flag(&O::pre)},
      {"--trusted-host", "", 0, Arity::kValue, append(&O::trusted_hosts)},
      {"--use-feature", "", 0, Arity::kValue, append(&O::features)},
      {"--all-releases", "", 0, Arity::kValue, names(&O::all_releases)},
      {"--only-final", "", 0, Arity::kValue, names(&O::only_final)},
      {"--global-option", "", 0, Arity::kValue, append(&O::global_options)},
      {"--hash", "", 0, Arity::kValue,
       [](O& o, const std::string& v) {
         std::size_t colon = v.find(':');
         if (colon == std::string::npos) {
           return std::string(
               "Arguments to --hash must be a hash name followed by a value, like "
               "--hash=sha256:abcde...");
         }
         std::string algorithm = v.substr(0, colon);
         if (algorithm != "sha256" && algorithm != "sha384" && algorithm != "sha512") {
           return std::string("Allowed hash algorithms for --hash are sha256, sha384, sha512.");
         }
         o.hashes[algorithm].push_back(v.substr(colon + 1));
         return std::string();
       }},
      {"--config-settings", "", 0, Arity::kValue,
       [](O& o, const std::string& v) {
         std::size_t eq = v.find('=');
         if (eq == std::string::npos) {
           return std::string("Arguments to --config-settings must be of the form KEY=VAL");
         }
         o.config_settings.emplace_back(v.substr(0, eq), v.substr(eq + 1));
         return std::string();
       }},
  };
  return table;
}

// optparse's _match_abbrev: an exact long name, else the one long name it is a prefix of.
using LongMatch = std::pair<std::string_view, const OptionSpec*>;  // the name matched
Result<LongMatch> match_long(std::string_view given) {
  std::vector<LongMatch> candidates;
  for (const OptionSpec& spec : option_table()) {
    for (std::string_view name : {spec.long_name, spec.alias}) {
      if (name.empty()) continue;
      if (name == given) return LongMatch(name, &spec);
      if (name.starts_with(given)) candidates.emplace_back(name, &spec);
    }
  }
  if (candidates.size() == 1) return candidates.front();
  if (candidates.empty()) return invalid_argument("no such option: " + std::string(given));
  std::sort(candidates.begin(), candidates.end());  // optparse lists them sorted
  std::string list;
  for (const auto& [name, spec] : candidates) {
    if (!list.empty()) list += ", ";
    list += name;
  }
  return invalid_argument("ambiguous option: " + std::string(given) + " (" + list + "?)");
}

const OptionSpec* match_short(char c) {
  for (const OptionSpec& spec : option_table()) {
    if (spec.short_name == c) return &spec;
  }
  return nullptr;
}

}  // namespace

Result<std::vector<std::string>> shlex_split(std::string_view text) {
  std::vector<std::string> tokens;
  std::string token;
  bool in_token = false;  // a token has started (possibly empty, when quoted)
  char quote = 0;         // the open quote, or 0
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"') {
        if (++i == text.size()) return invalid_argument("No escaped character");
        char next = text[i];
        if (next != '"' && next != '\\') token += '\\';
        token += next;
      } else {
        token += c;
      }
      continue;
    }
    if (is_shlex_space(c)) {
      if (in_token) tokens.push_back(std::move(token));
      token.clear();
      in_token = false;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_token = true;
    } else if (c == '\\') {
      if (++i == text.size()) return invalid_argument("No escaped character");
      token += text[i];
      in_token = true;
    } else {
      token += c;
      in_token = true;
    }
  }
  if (quote != 0) return invalid_argument("No closing quotation");
  if (in_token) tokens.push_back(std::move(token));
  return tokens;
}

Result<LineOptions> parse_line_options(const std::vector<std::string>& args) {
  LineOptions options;
  auto apply = [&](const OptionSpec& spec, const std::string& value) -> Status {
    options.given.emplace_back(spec.long_name);
    std::string error = spec.apply(options, value);
    if (!error.empty()) return invalid_argument(error);
    return ok_status();
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") break;  // the rest are arguments, which are ignored
    if (arg.starts_with("--")) {
      std::size_t eq = arg.find('=');
      std::string name = arg.substr(0, eq);
      IGNITE_ASSIGN_OR_RETURN(LongMatch match, match_long(name));
      const OptionSpec* spec = match.second;
      std::string shown(match.first);
      if (spec->arity == Arity::kFlag) {
        if (eq != std::string::npos)
          return invalid_argument(shown + " option does not take a value");
        IGNITE_RETURN_IF_ERROR(apply(*spec, ""));
      } else if (eq != std::string::npos) {
        IGNITE_RETURN_IF_ERROR(apply(*spec, arg.substr(eq + 1)));
      } else if (i + 1 < args.size()) {
        IGNITE_RETURN_IF_ERROR(apply(*spec, args[++i]));
      } else {
        return invalid_argument(shown + " option requires 1 argument");
      }
    } else if (arg.size() > 1 && arg[0] == '-') {
      // Short options; every one accepted here takes a value ("-iURL" or "-i URL").
      const OptionSpec* spec = match_short(arg[1]);
      if (spec == nullptr) return invalid_argument("no such option: -" + std::string(1, arg[1]));
      if (arg.size() > 2) {
        IGNITE_RETURN_IF_ERROR(apply(*spec, arg.substr(2)));
      } else if (i + 1 < args.size()) {
        IGNITE_RETURN_IF_ERROR(apply(*spec, args[++i]));
      } else {
        return invalid_argument("-" + std::string(1, arg[1]) + " option requires 1 argument");
      }
    }
    // Anything else is an argument, which optparse collects and pip ignores.
  }
  return options;
}

}  // namespace ignite::python
