// The Prometheus text exposition format, version 0.0.4
// (prometheus.io/docs/instrumenting/exposition_formats), written line by line:
//
//   # HELP <name> <help: \ as \\, newline as \n>
//   # TYPE <name> counter|gauge|histogram
//   <name>[{<label>="<value: \ as \\, " as \", newline as \n>",...}] <value>
//
// Names match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* (not "__..."), and
// values are the shortest decimals that read back as the same double ("1", "0.25", "1e+21"), or
// "+Inf", "-Inf", "NaN". Each family's HELP and TYPE come once, before its samples, and its
// samples follow together; a histogram's are <name>_bucket{...,le="<bound>"} (cumulative, the
// last le="+Inf"), <name>_sum and <name>_count. Other lines starting with "# " are comments.
//
// The writer keeps its output valid whatever its caller does (a scrape-time collector is
// written by someone else): a family with an invalid or repeated name, a sample that is not of
// the current family, or a label with an invalid name is left out, with a comment saying so.
#pragma once

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ignite::metrics {

enum class MetricType { kCounter, kGauge, kHistogram };

// Label names and values of one series, in the order written.
using Labels = std::vector<std::pair<std::string, std::string>>;

bool is_valid_metric_name(std::string_view name);
bool is_valid_label_name(std::string_view name);
// "1", "0.005", "+Inf": a sample's value, or a bucket's bound in le="...".
std::string format_value(double value);
// A label value's escaping: \ " and newline.
std::string escape_label_value(std::string_view value);

class MetricWriter {
 public:
  // Appends to `out`.
  explicit MetricWriter(std::string& out) : out_(out) {}

  // Starts a family: its # HELP and # TYPE lines. The samples that follow belong to it.
  void family(std::string_view name, std::string_view help, MetricType type);
  // One sample of the current family: `name` is the family's (a histogram's with _bucket, _sum
  // or _count; histogram() writes those).
  void sample(std::string_view name, const Labels& labels, double value);
  // One series of the current histogram family: `cumulative[i]` observations were <= bounds[i],
  // and cumulative.back() (one more entry than bounds) is the count of all, the +Inf bucket.
  void histogram(const Labels& labels, std::span<const double> bounds,
                 std::span<const std::uint64_t> cumulative, double sum);
  // "# <text>": for a person reading the page (a collector that could not read its source).
  void comment(std::string_view text);

 private:
  std::string& out_;
  std::string current_;  // the current family's name; "" when none or left out
  MetricType type_ = MetricType::kGauge;
  std::set<std::string, std::less<>> written_;  // every family name so far
};

}  // namespace ignite::metrics
