// read_requirements_file(): pip's RequirementsFileParser over a RequirementsFileSource.
#include <algorithm>
#include <utility>

#include "builder/python/ascii_text.h"
#include "builder/python/requirements_file.h"
#include "builder/python/requirements_file_decode.h"

namespace ignite::python {
namespace {

// Puts ${NAME} back for every value expanded on the line, then hides URL credentials.
std::string redact(std::string_view message, const PreprocessedLine& line) {
  std::string out(message);
  for (const auto& [name, value] : line.expanded) {
    std::string placeholder = "${" + name + "}";
    for (std::size_t at = out.find(value); at != std::string::npos;
         at = out.find(value, at + placeholder.size())) {
      out.replace(at, value.size(), placeholder);
    }
  }
  return redact_url_credentials(out);
}

// pip's SCHEME_RE: ^(http|https|file): in any case.
bool has_remote_scheme(std::string_view path) {
  std::string scheme = url_scheme(path);
  return path.find(':') != std::string_view::npos &&
         (scheme == "http" || scheme == "https" || scheme == "file");
}

std::string where_text(const std::string& file, int line) {
  return "line " + std::to_string(line) + " of " + file;
}

class Reader {
 public:
  Reader(const RequirementsFileSource& source, const RequirementsVariables& variables)
      : source_(source), variables_(variables) {}

  // `path` is the file's path inside the source; `display` the same with every ${NAME}
  // value that went into it put back as ${NAME}, which is what messages and `where`
  // strings show. (Errors are also redacted on their way up, line by line.)
  Status read(const std::string& path, const std::string& display, bool constraint) {
    if (std::find(stack_.begin(), stack_.end(), path) != stack_.end()) {
      return invalid_argument("including " + quote_text(display) + " again: include cycle " +
                              cycle_text(path));
    }
    if (static_cast<int>(stack_.size()) >= kMaxIncludeDepth) {
      return invalid_argument("including " + quote_text(display) + ": more than " +
                              std::to_string(kMaxIncludeDepth) + " levels of -r/-c includes");
    }
    IGNITE_ASSIGN_OR_RETURN(std::string bytes, source_.read(path));
    IGNITE_ASSIGN_OR_RETURN(std::string text, decode_requirements_file(bytes, display));
    stack_.push_back(path);
    displays_.push_back(display);
    for (const PreprocessedLine& line : preprocess_requirements(text, variables_)) {
      IGNITE_RETURN_IF_ERROR(read_line(path, display, line, constraint));
    }
    stack_.pop_back();
    displays_.pop_back();
    return ok_status();
  }

  RequirementsFile take() { return std::move(file_); }

 private:
  std::string cycle_text(const std::string& path) const {
    std::string text;
    auto from = std::find(stack_.begin(), stack_.end(), path);
    for (auto i = static_cast<std::size_t>(from - stack_.begin()); i < stack_.size(); ++i) {
      text += quote_text(displays_[i]) + " -> ";
    }
    return text + quote_text(displays_[static_cast<std::size_t>(from - stack_.begin())]);
  }

  Status read_line(const std::string& path, const std::string& display,
                   const PreprocessedLine& line, bool constraint) {
    std::string where = where_text(display, line.number);
    auto [args, options_text] = split_arguments_and_options(line.text);
    std::string shown_line = redact_url_credentials(line.written);
    auto fail = [&](std::string_view what, const Status& cause) {
      return Status(cause.code(),
                    redact(where + ": " + std::string(what) + ": " + cause.message(), line));
    };
    Result<std::vector<std::string>> tokens = shlex_split(options_text);
    if (!tokens.ok()) {
      return fail("invalid options in " + quote_text(shown_line),
                  invalid_argument("could not split options: " + tokens.status().message()));
    }
    Result<LineOptions> options = parse_line_options(*tokens);
    if (!options.ok())
      return fail("invalid options in " + quote_text(shown_line), options.status());

    if (!args.empty() || !options->editables.empty()) {
      RequirementEntry entry;
      entry.file = display;
      entry.line_number = line.number;
      entry.constraint = constraint;
      std::string written_args = split_arguments_and_options(line.written).first;
      if (args.empty()) {
        entry.text = options->editables.front();  // pip takes the first -e of a line
        entry.shown = redact_url_credentials(shown_line);
        entry.parsed.form = RequirementForm::kEditable;
      } else {
        entry.text = args;
        entry.shown = redact_url_credentials(written_args);
        Result<RequirementLineParse> parsed = parse_requirement_line(args, where);
        if (!parsed.ok())
          return Status(parsed.status().code(), redact(parsed.status().message(), line));
        entry.parsed = std::move(parsed).value();
      }
      entry.hashes = options->hashes;
      entry.config_settings = options->config_settings;
      entry.global_options = options->global_options;
      for (const std::string& given : options->given) {
        if (given != "--hash" && given != "--config-settings" && given != "--global-option" &&
            !(args.empty() && given == "--editable")) {
          file_.warnings.push_back(where + ": " + given +
                                   " on a requirement line is ignored (pip applies only --hash, "
                                   "--config-settings and --global-option there)");
        }
      }
      file_.entries.push_back(std::move(entry));
      return ok_status();
    }

    if (!options->requirements.empty() || !options->constraints.empty()) {
      bool nested_constraint = options->requirements.empty();
      const std::string& target =
          nested_constraint ? options->constraints.front() : options->requirements.front();
      if (options->given.size() > 1) {
        file_.warnings.push_back(where +
                                 ": only the first -r/-c of an include line is read; "
                                 "its other options are ignored, as pip ignores them");
      }
      Result<std::string> resolved = resolve_include(path, target);
      if (!resolved.ok()) return fail("including " + quote_text(shown_line), resolved.status());
      std::string nested_display = join_display(display, redact(target, line));
      Status nested = read(*resolved, nested_display, nested_constraint);
      if (!nested.ok()) return fail("including " + quote_text(nested_display), nested);
      return ok_status();
    }

    if (!options->hashes.empty()) {
      file_.warnings.push_back(where + ": --hash without a requirement is ignored");
    }
    file_.option_lines.push_back(
        OptionLine{display, line.number, std::move(shown_line), std::move(options).value()});
    return ok_status();
  }

  // The included file's path as messages show it: joined to the including file's shown
  // directory the same way, but never failing (a part that cannot be resolved stays).
  static std::string join_display(const std::string& including, std::string_view target) {
    std::vector<std::string_view> parts;
    auto add = [&](std::string_view path) {
      std::size_t start = 0;
      while (start <= path.size()) {
        std::size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) slash = path.size();
        std::string_view part = path.substr(start, slash - start);
        start = slash + 1;
        if (part.empty() || part == ".") continue;
        if (part == ".." && !parts.empty() && parts.back() != "..") {
          parts.pop_back();
        } else {
          parts.push_back(part);
        }
      }
    };
    std::size_t slash = including.rfind('/');
    if (slash != std::string::npos) add(std::string_view(including).substr(0, slash));
    add(target);
    std::string joined;
    for (std::string_view part : parts) {
      if (!joined.empty()) joined += '/';
      joined += part;
    }
    return joined;
  }

  // The included file's path inside the source: relative to the including file's
  // directory, normalized, and refused when it is a URL, absolute, or leaves the source.
  static Result<std::string> resolve_include(const std::string& including,
                                             std::string_view target) {
    if (has_remote_scheme(target)) {
      return invalid_argument(
          "includes by URL are refused: the build reads only the files "
          "of the source");
    }
    if (target.starts_with('/')) {
      return invalid_argument(
          "absolute paths are refused: name a file inside the source, "
          "relative to the including file");
    }
    std::vector<std::string> parts;
    auto add = [&](std::string_view path) -> Status {
      std::size_t start = 0;
      while (start <= path.size()) {
        std::size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) slash = path.size();
        std::string_view part = path.substr(start, slash - start);
        start = slash + 1;
        if (part.empty() || part == ".") continue;
        if (part == "..") {
          if (parts.empty()) {
            return invalid_argument("the path leads outside the source");
          }
          parts.pop_back();
          continue;
        }
        parts.emplace_back(part);
      }
      return ok_status();
    };
    std::size_t slash = including.rfind('/');
    if (slash != std::string::npos) IGNITE_RETURN_IF_ERROR(add(including.substr(0, slash)));
    IGNITE_RETURN_IF_ERROR(add(target));
    if (parts.empty()) return invalid_argument("the path names no file");
    std::string joined;
    for (const std::string& part : parts) joined += (joined.empty() ? "" : "/") + part;
    return joined;
  }

  const RequirementsFileSource& source_;
  const RequirementsVariables& variables_;
  RequirementsFile file_;
  std::vector<std::string> stack_;     // paths of the files being read, outermost first
  std::vector<std::string> displays_;  // the same as messages show them
};

}  // namespace

std::string RequirementEntry::where() const { return where_text(file, line_number); }
std::string OptionLine::where() const { return where_text(file, line_number); }

LineOptions RequirementsFile::options() const {
  LineOptions merged;
  auto append = [](std::vector<std::string>& to, const std::vector<std::string>& from) {
    to.insert(to.end(), from.begin(), from.end());
  };
  for (const OptionLine& line : option_lines) {
    const LineOptions& o = line.options;
    if (o.index_url) merged.index_url = o.index_url;
    append(merged.extra_index_urls, o.extra_index_urls);
    merged.no_index = merged.no_index || o.no_index;
    append(merged.find_links, o.find_links);
    append(merged.no_binary, o.no_binary);
    append(merged.only_binary, o.only_binary);
    merged.prefer_binary = merged.prefer_binary || o.prefer_binary;
    merged.require_hashes = merged.require_hashes || o.require_hashes;
    merged.pre = merged.pre || o.pre;
    append(merged.trusted_hosts, o.trusted_hosts);
    append(merged.features, o.features);
    append(merged.all_releases, o.all_releases);
    append(merged.only_final, o.only_final);
    append(merged.given, o.given);
  }
  return merged;
}

bool RequirementsFile::hash_mode() const {
  for (const OptionLine& line : option_lines) {
    if (line.options.require_hashes) return true;
  }
  for (const RequirementEntry& entry : entries) {
    if (!entry.hashes.empty()) return true;
  }
  return false;
}

Result<RequirementsFile> read_requirements_file(const RequirementsFileSource& source,
                                                std::string_view path,
                                                const RequirementsVariables& variables) {
  Reader reader(source, variables);
  IGNITE_RETURN_IF_ERROR(reader.read(std::string(path), std::string(path), /*constraint=*/false));
  return reader.take();
}

}  // namespace ignite::python
