// A strict reader of the Prometheus text format 0.0.4 for the tests: every line is a # HELP,
// a # TYPE, another comment, or a sample of the family whose TYPE came last; names, label
// names and escapes as the format allows; a family's samples together; a histogram's buckets
// cumulative, ending with le="+Inf" equal to its _count. What it reads is a map from
// `name{label="value",...}` (labels as written, escapes undone) to the value.
#pragma once

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "builder/metrics/metric_writer.h"
#include "builder/util/status.h"

namespace ignite::testing {

struct PrometheusPage {
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;  // family name -> counter, gauge, histogram
  double at(const std::string& key) const {
    auto it = samples.find(key);
    return it == samples.end() ? std::nan("") : it->second;
  }
};

namespace prometheus_detail {

inline Result<double> parse_value(const std::string& text) {
  if (text == "+Inf") return HUGE_VAL;
  if (text == "-Inf") return -HUGE_VAL;
  if (text == "NaN") return std::nan("");
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') return invalid_argument("value \"" + text + "\"");
  return v;
}

// `{a="x",b="y"}` from text[at]; advances `at` past it. Escapes undone.
inline Result<std::string> parse_labels(const std::string& text, std::size_t& at, std::string* le) {
  std::string out = "{";
  ++at;  // {
  while (at < text.size() && text[at] != '}') {
    const std::size_t eq = text.find('=', at);
    if (eq == std::string::npos) return invalid_argument("label without =");
    const std::string name = text.substr(at, eq - at);
    if (!metrics::is_valid_label_name(name)) return invalid_argument("label name " + name);
    if (eq + 1 >= text.size() || text[eq + 1] != '"') return invalid_argument("unquoted value");
    std::string value;
    std::size_t i = eq + 2;
    for (; i < text.size() && text[i] != '"'; ++i) {
      if (text[i] == '\n') return invalid_argument("raw newline in a label value");
      if (text[i] == '\\') {
        if (i + 1 >= text.size()) return invalid_argument("dangling backslash");
        const char e = text[++i];
        if (e == 'n') {
          value += '\n';
        } else if (e == '\\' || e == '"') {
          value += e;
        } else {
          return invalid_argument(std::string("escape \\") + e);
        }
      } else {
        value += text[i];
      }
    }
    if (i >= text.size()) return invalid_argument("unterminated label value");
    at = i + 1;
    if (name == "le") {
      *le = value;
    } else {
      if (out.size() > 1) out += ',';
      out += name + "=\"" + value + "\"";
    }
    if (at < text.size() && text[at] == ',') ++at;
  }
  if (at >= text.size()) return invalid_argument("unterminated labels");
  ++at;  // }
  return out.size() == 1 ? std::string() : out + "}";
}

}  // namespace prometheus_detail

inline Result<PrometheusPage> parse_prometheus_text(const std::string& page) {
  using namespace prometheus_detail;
  PrometheusPage out;
  std::set<std::string> done;  // families whose samples ended
  std::string family, type;
  // A histogram series' last cumulative bucket, by series, to check order and +Inf == _count.
  std::map<std::string, double> last_bucket;
  std::set<std::string> inf_seen;
  if (!page.empty() && page.back() != '\n') return invalid_argument("no newline at the end");
  std::istringstream in(page);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    const std::string where = "line " + std::to_string(n) + " \"" + line + "\": ";
    if (line.empty()) continue;
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      std::istringstream words(line.substr(7));
      std::string name, rest;
      words >> name;
      if (!metrics::is_valid_metric_name(name)) return invalid_argument(where + "name");
      if (line.starts_with("# TYPE ")) {
        words >> rest;
        if (rest != "counter" && rest != "gauge" && rest != "histogram") {
          return invalid_argument(where + "type");
        }
        if (out.types.count(name)) return invalid_argument(where + "a second TYPE");
        if (!family.empty() && family != name) done.insert(family);
        family = name;
        type = rest;
        out.types[name] = rest;
      }
      continue;
    }
    if (line.starts_with("#")) continue;
    std::size_t at = 0;
    while (at < line.size() && line[at] != '{' && line[at] != ' ') ++at;
    const std::string name = line.substr(0, at);
    if (!metrics::is_valid_metric_name(name)) return invalid_argument(where + "name");
    std::string le;
    std::string labels;
    if (at < line.size() && line[at] == '{') {
      auto l = parse_labels(line, at, &le);
      if (!l.ok()) return l.status().with_context(where);
      labels = *l;
    }
    if (at >= line.size() || line[at] != ' ') return invalid_argument(where + "no value");
    auto value = parse_value(line.substr(at + 1));
    if (!value.ok()) return value.status().with_context(where);
    // The sample's family: the last TYPE's, and its samples come before any other family's.
    std::string base = name;
    if (type == "histogram") {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        if (name == family + suffix) base = family;
      }
    }
    if (base != family || done.count(base)) {
      return invalid_argument(where + "not a sample of the current family " + family);
    }
    if (!le.empty() && name != family + "_bucket") return invalid_argument(where + "le label");
    if (name == family + "_bucket") {
      if (le.empty()) return invalid_argument(where + "a bucket without le");
      const std::string series = family + labels;
      if (*value < last_bucket[series]) return invalid_argument(where + "buckets not cumulative");
      last_bucket[series] = *value;
      if (le == "+Inf") inf_seen.insert(series);
      out.samples[name + (labels.empty() ? "{le=\"" + le + "\"}"
                                         : labels.substr(0, labels.size() - 1) + ",le=\"" + le +
                                               "\"}")] = *value;
      continue;
    }
    if (type == "histogram" && name == family + "_count") {
      const std::string series = family + labels;
      if (!inf_seen.count(series) || last_bucket[series] != *value) {
        return invalid_argument(where + "_count differs from the +Inf bucket");
      }
    }
    const std::string key = name + labels;
    if (out.samples.count(key)) return invalid_argument(where + "a second sample of " + key);
    out.samples[key] = *value;
  }
  return out;
}

}  // namespace ignite::testing
