// pip_reqfile.json (pip's tests/unit/test_req_file.py and test_req.py) against the
// requirements-file reader. Every case runs; every expectation key of a case is checked
// (an unknown key fails the case rather than being skipped).
//
// Two documented mappings: "error": "InvalidWheelFilename" (pip's exception class) is
// checked as a message holding "invalid wheel filename"; the encodings note (BOMs, and
// pip's locale fallback for bytes that are not UTF-8) runs as BOM cases built here, and
// the fallback as a refusal, which is this reader's documented difference.
#include <gtest/gtest.h>

#include <algorithm>

#include "builder/python/requirements_file.h"
#include "builder/python/requirements_file_decode.h"
#include "tests/python/vector_cases.h"

namespace ignite::python {
namespace {

using nlohmann::json;
using testing::CaseTally;
using testing::show;

json numbered(const std::vector<NumberedLine>& lines) {
  json out = json::array();
  for (const NumberedLine& l : lines) out.push_back(json::array({l.number, l.text}));
  return out;
}

Result<RequirementsFile> read_content(const std::string& content,
                                      const RequirementsVariables& vars = {}) {
  InMemoryFileSource files;
  files.add("requirements.txt", content);
  return read_requirements_file(files, "requirements.txt", vars);
}

json sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(RequirementsFileVectors, LineLayer) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "pip_reqfile.json");
  {
    CaseTally tally("pip_reqfile.json", "preprocess");
    for (const json& c : vectors.at("preprocess")) {
      std::vector<NumberedLine> got;
      for (const PreprocessedLine& l :
           preprocess_requirements(c.at("content").get<std::string>(), {})) {
        got.push_back(NumberedLine{l.number, l.text});
      }
      tally.check(numbered(got) == c.at("expected"), c.at("source"), "got " + show(numbered(got)));
    }
  }
  {
    CaseTally tally("pip_reqfile.json", "join_lines");
    for (const json& c : vectors.at("join_lines")) {
      std::vector<NumberedLine> lines;
      for (const json& text : c.at("lines")) {
        lines.push_back(NumberedLine{static_cast<int>(lines.size()) + 1, text});
      }
      json got = numbered(join_continued_lines(lines));
      tally.check(got == c.at("expected"), c.at("source"), "got " + show(got));
    }
  }
  {
    CaseTally tally("pip_reqfile.json", "ignore_comments");
    for (const json& c : vectors.at("ignore_comments")) {
      std::vector<NumberedLine> lines;
      for (const json& l : c.at("lines")) lines.push_back(NumberedLine{l[0], l[1]});
      json got = numbered(strip_comments(lines));
      tally.check(got == c.at("expected"), c.at("source"), "got " + show(got));
    }
  }
  CaseTally tally("pip_reqfile.json", "break_args_options");
  for (const json& c : vectors.at("break_args_options")) {
    auto [args, options] = split_arguments_and_options(c.at("line").get<std::string>());
    json got = json::array({args, options});
    tally.check(got == c.at("expected"), c.at("source"), "got " + show(got));
  }
}

// Compares one expectation of an option_lines case; "" when it holds.
std::string option_mismatch(const std::string& key, const json& expected,
                            const RequirementsFile& file) {
  LineOptions o = file.options();
  const RequirementEntry* entry = file.entries.empty() ? nullptr : &file.entries.front();
  json got;
  if (key == "requirement") {
    got = entry ? json(entry->text) : json(nullptr);
  } else if (key == "hashes") {
    got = entry ? json(entry->hashes) : json(nullptr);
  } else if (key == "config_settings") {
    json settings = json::object();
    if (entry) {
      for (const auto& [k, v] : entry->config_settings) settings[k] = v;
    }
    got = settings;
  } else if (key == "no_index") {
    got = o.no_index;
  } else if (key == "pre") {
    got = o.pre;
  } else if (key == "index_url") {
    got = o.index_url ? json(*o.index_url) : json(nullptr);
  } else if (key == "find_links") {
    got = o.find_links;
  } else if (key == "extra_index_urls") {
    got = o.extra_index_urls;
  } else if (key == "trusted_hosts") {
    got = o.trusted_hosts;
  } else if (key == "all_releases") {
    got = o.all_releases;
  } else if (key == "only_final") {
    got = o.only_final;
  } else if (key == "no_binary") {
    got = o.no_binary;
  } else if (key == "only_binary") {
    got = o.only_binary;
  } else {
    return "unknown expectation key " + key;
  }
  return got == expected ? "" : key + " is " + show(got);
}

TEST(RequirementsFileVectors, OptionLines) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "pip_reqfile.json");
  CaseTally tally("pip_reqfile.json", "option_lines");
  for (const json& c : vectors.at("option_lines")) {
    std::string name = show(c.at("line"));
    Result<RequirementsFile> file = read_content(c.at("line"));
    if (c.at("error").get<bool>()) {
      bool ok = !file.ok() && file.status().code() == Code::kInvalidArgument &&
                file.status().message().starts_with("line 1 of requirements.txt: ");
      tally.check(ok, name, file.ok() ? "was read" : file.status().to_string());
      continue;
    }
    if (!file.ok()) {
      tally.check(false, name, file.status().to_string());
      continue;
    }
    std::string why;
    for (const auto& [key, expected] : c.items()) {
      if (key == "line" || key == "error" || key == "source") continue;
      if (std::string m = option_mismatch(key, expected, *file); !m.empty()) why += m + "; ";
    }
    tally.check(why.empty(), name, why);
  }
}

TEST(RequirementsFileVectors, Files) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "pip_reqfile.json");
  CaseTally tally("pip_reqfile.json", "files");
  for (const json& c : vectors.at("files")) {
    RequirementsVariables vars;
    if (c.contains("env")) vars = c.at("env").get<RequirementsVariables>();
    Result<RequirementsFile> file = read_content(c.at("content"), vars);
    if (!file.ok()) {
      tally.check(false, c.at("source"), file.status().to_string());
      continue;
    }
    std::string why;
    const RequirementEntry* first = file->entries.empty() ? nullptr : &file->entries.front();
    for (const auto& [key, expected] : c.items()) {
      if (key == "content" || key == "env" || key == "source") continue;
      json got;
      if (key == "extra_index_urls") {
        got = file->options().extra_index_urls;
      } else if (key == "requirements") {
        got = json::array();
        for (const RequirementEntry& e : file->entries) got.push_back(e.text);
      } else if (key == "link_url") {
        got = first && first->parsed.link ? json(*first->parsed.link) : json(nullptr);
      } else if (key == "name") {
        got = first && first->parsed.requirement ? json(first->parsed.requirement->name())
                                                 : json(nullptr);
      } else {
        why += "unknown expectation key " + key + "; ";
        continue;
      }
      if (got != expected) why += key + " is " + show(got) + "; ";
    }
    tally.check(why.empty(), c.at("source"), why);
  }
}

TEST(RequirementsFileVectors, Encodings) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "pip_reqfile.json");
  CaseTally tally("pip_reqfile.json", "encodings");
  auto check_django = [&](const std::string& bytes, const std::string& name) {
    Result<RequirementsFile> file = read_content(bytes);
    bool ok = file.ok() && file->entries.size() == 1 &&
              file->entries[0].parsed.requirement->name() == "Django" &&
              file->entries[0].parsed.requirement->specifier().to_string() == "==1.4.2";
    tally.check(ok, name, file.ok() ? "" : file.status().to_string());
  };
  for (const json& c : vectors.at("encodings")) {
    if (c.contains("bytes_hex")) {
      std::string hex = c.at("bytes_hex");
      std::string bytes;
      for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
      }
      check_django(bytes, c.at("source"));
      continue;
    }
    // The note: byte order marks are honoured, UTF-32 checked before UTF-16.
    std::string text = "Django==1.4.2";
    auto wide = [&](int width, bool big) {
      std::string out;
      for (char ch : text) {
        std::string unit(width, '\0');
        unit[big ? width - 1 : 0] = ch;
        out += unit;
      }
      return out;
    };
    std::string source = c.at("source");
    check_django("\xEF\xBB\xBF" + text, source + " [UTF-8 BOM]");
    check_django(std::string("\xFF\xFE\0\0", 4) + wide(4, false), source + " [UTF-32-LE BOM]");
    check_django(std::string("\0\0\xFE\xFF", 4) + wide(4, true), source + " [UTF-32-BE BOM]");
    check_django("\xFF\xFE" + wide(2, false), source + " [UTF-16-LE BOM]");
    check_django("\xFE\xFF" + wide(2, true), source + " [UTF-16-BE BOM]");
    // pip falls back to the locale's encoding; this reader refuses instead (documented).
    Result<RequirementsFile> latin = read_content("Django==1.4.2 # caf\xE9\n");
    tally.check(
        !latin.ok() && latin.status().code() == Code::kInvalidArgument &&
            latin.status().message().find("is not valid UTF-8 (at byte 19)") != std::string::npos,
        source + " [not UTF-8: refused]", latin.ok() ? "was read" : latin.status().to_string());
  }
}

std::string requirement_line_mismatch(const json& c) {
  std::string line = c.at("line");
  std::string source = c.contains("line_source") ? c.at("line_source").get<std::string>() : "";
  Result<RequirementLineParse> parsed = parse_requirement_line(line, source);
  if (c.contains("error") || c.contains("error_exact")) {
    if (parsed.ok()) return "was read";
    const std::string& message = parsed.status().message();
    if (c.contains("error_exact")) {
      return message == c.at("error_exact").get<std::string>() ? "" : "message " + show(message);
    }
    std::string expected = c.at("error");
    if (expected == "InvalidWheelFilename") expected = "invalid wheel filename";
    return message.find(expected) != std::string::npos ? "" : "message " + show(message);
  }
  if (!parsed.ok()) return parsed.status().to_string();
  const RequirementLineParse& p = *parsed;
  std::string why;
  for (const auto& [key, expected] : c.items()) {
    if (key == "line" || key == "source") continue;
    json got;
    if (key == "name") {
      got = p.requirement ? json(p.requirement->name()) : json(nullptr);
    } else if (key == "specifier") {
      got = p.requirement ? json(p.requirement->specifier().to_string()) : json(nullptr);
    } else if (key == "markers") {
      got = p.marker ? json(p.marker->to_string()) : json(nullptr);
    } else if (key == "link_url") {
      got = p.link ? json(*p.link) : json(nullptr);
    } else if (key == "url") {
      got = p.requirement && p.requirement->url() ? json(*p.requirement->url()) : json(nullptr);
    } else if (key == "req_str") {
      got = p.requirement ? json(p.requirement->to_string()) : json(nullptr);
    } else if (key == "extras") {
      got = sorted(p.extras);
    } else {
      why += "unknown expectation key " + key + "; ";
      continue;
    }
    if (got != expected) why += key + " is " + show(got) + "; ";
  }
  return why;
}

TEST(RequirementsFileVectors, RequirementLines) {
  IGNITE_LOAD_VECTORS_OR_SKIP(vectors, "pip_reqfile.json");
  CaseTally tally("pip_reqfile.json", "requirement_lines");
  for (const json& c : vectors.at("requirement_lines")) {
    std::string why = requirement_line_mismatch(c);
    tally.check(why.empty(), show(c.at("line")) + " (" + c.at("source").get<std::string>() + ")",
                why);
  }
}

}  // namespace
}  // namespace ignite::python
