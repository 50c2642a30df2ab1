#include "builder/python/requirements_file_lines.h"

#include "builder/python/ascii_text.h"

namespace ignite::python {
namespace {

// Length of a str.splitlines() boundary at the start of `t`, or 0.
std::size_t line_break_length(std::string_view t) {
  if (t.empty()) return 0;
  unsigned char c = static_cast<unsigned char>(t[0]);
  if (c == '\r') return t.size() > 1 && t[1] == '\n' ? 2 : 1;
  if (c == '\n' || c == '\v' || c == '\f' || (c >= 0x1C && c <= 0x1E)) return 1;
  if (t.starts_with("\xC2\x85")) return 2;                                       // U+0085
  if (t.starts_with("\xE2\x80\xA8") || t.starts_with("\xE2\x80\xA9")) return 3;  // U+2028/9
  return 0;
}

// COMMENT_RE.match(line): the line is a comment from its first non-space character.
bool is_comment_line(std::string_view line) {
  std::size_t i = 0;
  while (std::size_t n = python_whitespace_length(line.substr(i))) i += n;
  return i < line.size() && line[i] == '#';
}

// line.strip("\\")
std::string_view strip_backslashes(std::string_view line) {
  while (!line.empty() && line.front() == '\\') line.remove_prefix(1);
  while (!line.empty() && line.back() == '\\') line.remove_suffix(1);
  return line;
}

// COMMENT_RE.sub("", line): cut at a '#' that starts the line or follows whitespace,
// from the start of that whitespace.
std::string_view cut_comment(std::string_view line) {
  if (line.starts_with('#')) return {};
  std::size_t run_start = std::string_view::npos;  // start of the whitespace run just before i
  std::size_t i = 0;
  while (i < line.size()) {
    if (std::size_t n = python_whitespace_length(line.substr(i))) {
      if (run_start == std::string_view::npos) run_start = i;
      i += n;
      continue;
    }
    if (line[i] == '#' && run_start != std::string_view::npos) return line.substr(0, run_start);
    run_start = std::string_view::npos;
    ++i;
  }
  return line;
}

bool is_variable_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || is_ascii_digit(c) || c == '_';
}

}  // namespace

std::vector<std::string> split_physical_lines(std::string_view content) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < content.size()) {
    if (std::size_t n = line_break_length(content.substr(i))) {
      lines.emplace_back(content.substr(start, i - start));
      i += n;
      start = i;
    } else {
      ++i;
    }
  }
  if (start < content.size()) lines.emplace_back(content.substr(start));
  return lines;
}

std::vector<NumberedLine> join_continued_lines(const std::vector<NumberedLine>& lines) {
  std::vector<NumberedLine> out;
  bool pending = false;
  NumberedLine joined;
  for (const NumberedLine& line : lines) {
    bool comment = is_comment_line(line.text);
    if (!line.text.ends_with('\\') || comment) {
      // A comment line ends a continuation; the space keeps it a comment once joined.
      std::string text = comment ? " " + line.text : line.text;
      if (pending) {
        joined.text += text;
        out.push_back(std::move(joined));
        joined = NumberedLine{};
        pending = false;
      } else {
        out.push_back(NumberedLine{line.number, std::move(text)});
      }
    } else {
      if (!pending) joined.number = line.number;
      pending = true;
      joined.text += strip_backslashes(line.text);
    }
  }
  if (pending) out.push_back(std::move(joined));
  return out;
}

std::vector<NumberedLine> strip_comments(const std::vector<NumberedLine>& lines) {
  std::vector<NumberedLine> out;
  for (const NumberedLine& line : lines) {
    std::string_view text = trim_python_whitespace(cut_comment(line.text));
    if (!text.empty()) out.push_back(NumberedLine{line.number, std::string(text)});
  }
  return out;
}

PreprocessedLine expand_variables(const NumberedLine& line, const RequirementsVariables& vars) {
  PreprocessedLine out{line.number, "", line.text, {}};
  std::string_view t = line.text;
  std::size_t i = 0;
  while (i < t.size()) {
    if (t.substr(i).starts_with("${")) {
      std::size_t j = i + 2;
      while (j < t.size() && is_variable_name_char(t[j])) ++j;
      if (j > i + 2 && j < t.size() && t[j] == '}') {
        std::string_view name = t.substr(i + 2, j - i - 2);
        auto it = vars.find(name);
        if (it != vars.end() && !it->second.empty()) {
          out.text += it->second;
          out.expanded.emplace_back(std::string(name), it->second);
        } else {
          out.text += t.substr(i, j + 1 - i);
        }
        i = j + 1;
        continue;
      }
    }
    out.text += t[i++];
  }
  return out;
}

std::vector<PreprocessedLine> preprocess_requirements(std::string_view content,
                                                      const RequirementsVariables& vars) {
  std::vector<NumberedLine> physical;
  int number = 0;
  for (std::string& text : split_physical_lines(content)) {
    physical.push_back(NumberedLine{++number, std::move(text)});
  }
  std::vector<PreprocessedLine> out;
  for (const NumberedLine& line : strip_comments(join_continued_lines(physical))) {
    out.push_back(expand_variables(line, vars));
  }
  return out;
}

std::pair<std::string, std::string> split_arguments_and_options(std::string_view line) {
  std::string args;
  std::size_t start = 0;
  bool first = true;
  while (start <= line.size()) {
    std::size_t space = line.find(' ', start);
    if (space == std::string_view::npos) space = line.size();
    std::string_view token = line.substr(start, space - start);
    if (token.starts_with('-')) return {args, std::string(line.substr(start))};
    if (!first) args += ' ';
    args += token;
    first = false;
    start = space + 1;
  }
  return {args, ""};
}

}  // namespace ignite::python
