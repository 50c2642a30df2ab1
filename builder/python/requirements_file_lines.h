// The line layer of pip's requirements-file format (pip's req_file.py preprocess()), in
// pip's order:
//   1. split into physical lines as Python's str.splitlines() does (\n, \r\n, \r, \v, \f,
//      \x1c-\x1e, U+0085, U+2028, U+2029);
//   2. join a line ending in '\' with the next one, BEFORE comments are stripped (so a
//      trailing '\' inside a comment still joins), except that a line that is itself a
//      comment never continues; a joined line keeps the number of its first line;
//   3. strip comments: '#' starts one at the start of a line or after whitespace
//      (regex (^|\s+)#.*$), so "https://host/x.whl#sha256=..." keeps its fragment; then
//      strip surrounding whitespace and drop empty lines;
//   4. expand ${NAME} (NAME of A-Z, 0-9, '_' only) from the variables given; unset or
//      empty variables stay as written.
// Then each line splits into its arguments and its options at the first space-separated
// token that starts with '-'.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ignite::python {

// Values for ${NAME}, supplied by the caller (the build's settings), never read from the
// builder's own process environment.
using RequirementsVariables = std::map<std::string, std::string, std::less<>>;

struct NumberedLine {
  int number = 0;  // 1-based, of the first physical line
  std::string text;
  friend bool operator==(const NumberedLine&, const NumberedLine&) = default;
};

// A logical line after all four steps.
struct PreprocessedLine {
  int number = 0;
  std::string text;     // after ${NAME} expansion: may hold secrets, never print it
  std::string written;  // before expansion: what error messages may show
  // The variables expanded on this line, name and value (for redaction).
  std::vector<std::pair<std::string, std::string>> expanded;
};

std::vector<std::string> split_physical_lines(std::string_view content);
std::vector<NumberedLine> join_continued_lines(const std::vector<NumberedLine>& lines);
std::vector<NumberedLine> strip_comments(const std::vector<NumberedLine>& lines);
PreprocessedLine expand_variables(const NumberedLine& line, const RequirementsVariables& vars);

// All of the above over a decoded file.
std::vector<PreprocessedLine> preprocess_requirements(std::string_view content,
                                                      const RequirementsVariables& vars);

// pip's break_args_options: split at single spaces; the arguments run up to the first
// token starting with '-', the options are the rest (both rejoined with single spaces).
std::pair<std::string, std::string> split_arguments_and_options(std::string_view line);

}  // namespace ignite::python
