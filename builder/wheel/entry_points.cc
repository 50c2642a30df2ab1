#include "builder/wheel/entry_points.h"

#include <set>

#include "builder/python/ascii_text.h"
#include "builder/util/quote.h"
#include "builder/util/utf8.h"

namespace ignite::wheel {
namespace {

// Python identifiers as entry points may spell them: ASCII letters, '_', and digits after the start.
bool is_alpha(char c) { return python::is_ascii_alpha(c) || c == '_'; }

// "a.b_c.D1": identifiers separated by single dots. ASCII only: Python allows more, but an
// ASCII name cannot smuggle anything into the launcher's source.
bool is_dotted_name(std::string_view s) {
  if (s.empty()) return false;
  bool at_start = true;
  for (char c : s) {
    if (c == '.') {
      if (at_start) return false;
      at_start = true;
    } else if (is_alpha(c) || (!at_start && python::is_ascii_digit(c))) {
      at_start = false;
    } else {
      return false;
    }
  }
  return !at_start;
}

bool is_script_name(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (char c : s) {
    if (!is_alpha(c) && !python::is_ascii_digit(c) && c != '.' && c != '+' && c != '-') return false;
  }
  return true;
}

Result<ScriptEntry> parse_entry(std::string_view line) {
  const std::size_t eq = line.find('=');
  if (eq == std::string_view::npos) return invalid_argument("no '=' in " + quote_text(line));
  ScriptEntry e;
  e.name = std::string(python::trim_blanks(line.substr(0, eq)));
  if (!is_script_name(e.name)) {
    return invalid_argument("script name " + quote_text(e.name) +
                            " is not made of ASCII letters, digits and \"_.+-\"");
  }
  std::string_view ref = python::trim_blanks(line.substr(eq + 1));
  if (const std::size_t bracket = ref.find('['); bracket != std::string_view::npos) {
    if (!ref.ends_with(']'))
      return invalid_argument("extras in " + quote_text(ref) + " not closed");
    ref = python::trim_blanks(ref.substr(0, bracket));
  }
  const std::size_t colon = ref.find(':');
  if (colon == std::string_view::npos) {
    return invalid_argument("script " + quote_text(e.name) + ": " + quote_text(ref) +
                            " has no \":attribute\" to call");
  }
  e.module = std::string(python::trim_blanks(ref.substr(0, colon)));
  e.attr = std::string(python::trim_blanks(ref.substr(colon + 1)));
  if (!is_dotted_name(e.module) || !is_dotted_name(e.attr)) {
    return invalid_argument("script " + quote_text(e.name) + ": " + quote_text(ref) +
                            " is not \"module:attribute\" with dotted ASCII names");
  }
  return e;
}

}  // namespace

Result<std::vector<ScriptEntry>> parse_script_entry_points(std::string_view text) {
  if (auto bad = find_invalid_utf8(text)) {
    return invalid_argument("not valid UTF-8 (at byte " + std::to_string(*bad) + ")");
  }
  std::vector<ScriptEntry> out;
  std::set<std::string> seen[2];  // console, gui
  int section = -1;               // -1: a section we do not read
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = python::trim_blanks(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      const std::string_view name = line.substr(1, line.size() - 2);
      section = name == "console_scripts" ? 0 : name == "gui_scripts" ? 1 : -1;
      continue;
    }
    if (section < 0) continue;
    auto entry = parse_entry(line);
    if (!entry.ok()) return entry.status().with_context("line " + std::to_string(line_no));
    entry->gui = section == 1;
    if (!seen[section].insert(entry->name).second) {
      return invalid_argument("line " + std::to_string(line_no) + ": script " +
                              quote_text(entry->name) + " is defined twice");
    }
    out.push_back(std::move(*entry));
  }
  return out;
}

std::string launcher_script(const ScriptEntry& entry, std::string_view interpreter) {
  const std::string first = entry.attr.substr(0, entry.attr.find('.'));
  std::string s = "#!";
  s += interpreter;
  s += "\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom ";
  s += entry.module;
  s += " import ";
  s += first;
  s += "\nif __name__ == '__main__':\n"
       "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
       "    sys.exit(";
  s += entry.attr;
  s += "())\n";
  return s;
}

}  // namespace ignite::wheel
