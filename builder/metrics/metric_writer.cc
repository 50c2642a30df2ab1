#include "builder/metrics/metric_writer.h"

#include <charconv>
#include <cmath>

namespace ignite::metrics {
namespace {

bool name_char(char c, bool first, bool colon) {
  const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  if (letter || (colon && c == ':')) return true;
  return !first && c >= '0' && c <= '9';
}

bool valid_name(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, colon)) return false;
  }
  return true;
}

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// HELP text escapes only \ and newline (a quote is plain text there).
std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// The part of `name` after the family's name, for the samples a type allows: none, or for a
// histogram _bucket, _sum and _count.
bool belongs_to(std::string_view name, std::string_view family, MetricType type) {
  if (family.empty() || !name.starts_with(family)) return false;
  const std::string_view suffix = name.substr(family.size());
  if (type != MetricType::kHistogram) return suffix.empty();
  return suffix == "_bucket" || suffix == "_sum" || suffix == "_count";
}

}  // namespace

bool is_valid_metric_name(std::string_view name) { return valid_name(name, true); }

bool is_valid_label_name(std::string_view name) {
  return valid_name(name, false) && !name.starts_with("__");
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc()) return "NaN";  // cannot happen: 32 bytes hold any double
  return std::string(buf, end);
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void MetricWriter::family(std::string_view name, std::string_view help, MetricType type) {
  current_.clear();
  if (!is_valid_metric_name(name)) {
    comment("left out: \"" + escape_label_value(name) + "\" is not a metric name");
    return;
  }
  if (!written_.insert(std::string(name)).second) {
    comment("left out: a second family named " + std::string(name));
    return;
  }
  current_ = name;
  type_ = type;
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += escape_help(help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type_name(type);
  out_ += '\n';
}

void MetricWriter::sample(std::string_view name, const Labels& labels, double value) {
  if (!belongs_to(name, current_, type_)) {
    if (is_valid_metric_name(name)) comment("left out: a sample of " + std::string(name));
    return;
  }
  for (const auto& [label, v] : labels) {
    if (!is_valid_label_name(label)) {
      comment("left out: a sample of " + std::string(name) + " with label \"" +
              escape_label_value(label) + "\"");
      return;
    }
  }
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) out_ += ',';
      out_ += labels[i].first;
      out_ += "=\"";
      out_ += escape_label_value(labels[i].second);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
  out_ += format_value(value);
  out_ += '\n';
}

void MetricWriter::histogram(const Labels& labels, std::span<const double> bounds,
                             std::span<const std::uint64_t> cumulative, double sum) {
  if (type_ != MetricType::kHistogram || current_.empty()) return;
  if (cumulative.size() != bounds.size() + 1) {
    comment("left out: a series of " + current_ + " whose buckets do not match its bounds");
    return;
  }
  const std::string name = current_;
  Labels with_le = labels;
  with_le.emplace_back("le", "");
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    with_le.back().second = i < bounds.size() ? format_value(bounds[i]) : "+Inf";
    sample(name + "_bucket", with_le, static_cast<double>(cumulative[i]));
  }
  sample(name + "_sum", labels, sum);
  sample(name + "_count", labels, static_cast<double>(cumulative.back()));
}

void MetricWriter::comment(std::string_view text) {
  out_ += "# ";
  // A comment that began "HELP " or "TYPE " would be read as one of those lines.
  if (text.starts_with("HELP ") || text.starts_with("TYPE ")) out_ += "- ";
  for (char c : text) out_ += c == '\n' ? ' ' : c;
  out_ += '\n';
}

}  // namespace ignite::metrics
