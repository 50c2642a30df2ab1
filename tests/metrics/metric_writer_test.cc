#include "builder/metrics/metric_writer.h"

#include <gtest/gtest.h>

#include <limits>

namespace ignite::metrics {
namespace {

TEST(MetricWriterTest, ValuesAreShortestDecimalsAndInfinities) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(42), "42");
  EXPECT_EQ(format_value(0.005), "0.005");
  EXPECT_EQ(format_value(-2.5), "-2.5");
  EXPECT_EQ(format_value(1e21), "1e+21");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(MetricWriterTest, LabelValuesEscapeBackslashQuoteAndNewlineOnly) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd\te"), "a\\\\b\\\"c\\nd\te");
}

TEST(MetricWriterTest, NamesFollowTheFormat) {
  EXPECT_TRUE(is_valid_metric_name("ignite_builds"));
  EXPECT_TRUE(is_valid_metric_name("a:b_c9"));
  EXPECT_FALSE(is_valid_metric_name("9a"));
  EXPECT_FALSE(is_valid_metric_name("a-b"));
  EXPECT_FALSE(is_valid_metric_name(""));
  EXPECT_TRUE(is_valid_label_name("org"));
  EXPECT_FALSE(is_valid_label_name("a:b"));
  EXPECT_FALSE(is_valid_label_name("__name__"));
}

TEST(MetricWriterTest, HelpEscapesBackslashAndNewlineButNotQuotes) {
  std::string page;
  MetricWriter out(page);
  out.family("x", "say \"hi\"\\\nthere", MetricType::kGauge);
  out.sample("x", {}, 1);
  EXPECT_EQ(page,
            "# HELP x say \"hi\"\\\\\\nthere\n"
            "# TYPE x gauge\n"
            "x 1\n");
}

TEST(MetricWriterTest, ACollectorsMistakesAreLeftOutWithAComment) {
  std::string page;
  MetricWriter out(page);
  out.family("bad-name", "h", MetricType::kGauge);
  out.sample("bad-name", {}, 1);
  out.family("ok", "h", MetricType::kGauge);
  out.sample("other", {}, 1);                 // not of the current family
  out.sample("ok", {{"bad label", "v"}}, 2);  // a label name with a space
  out.sample("ok", {{"l", "v"}}, 3);
  out.family("ok", "again", MetricType::kCounter);  // a second family of one name
  out.sample("ok", {}, 4);
  out.comment("HELP ok not a help line");
  EXPECT_EQ(page,
            "# left out: \"bad-name\" is not a metric name\n"
            "# HELP ok h\n"
            "# TYPE ok gauge\n"
            "# left out: a sample of other\n"
            "# left out: a sample of ok with label \"bad label\"\n"
            "ok{l=\"v\"} 3\n"
            "# left out: a second family named ok\n"
            "# left out: a sample of ok\n"
            "# - HELP ok not a help line\n");
}

TEST(MetricWriterTest, AHistogramSeriesIsCumulativeBucketsThenSumAndCount) {
  std::string page;
  MetricWriter out(page);
  out.family("d_seconds", "h", MetricType::kHistogram);
  const double bounds[] = {0.5, 1};
  const std::uint64_t cumulative[] = {1, 3, 4};
  out.histogram({{"stage", "a"}}, bounds, cumulative, 7.25);
  EXPECT_EQ(page,
            "# HELP d_seconds h\n"
            "# TYPE d_seconds histogram\n"
            "d_seconds_bucket{stage=\"a\",le=\"0.5\"} 1\n"
            "d_seconds_bucket{stage=\"a\",le=\"1\"} 3\n"
            "d_seconds_bucket{stage=\"a\",le=\"+Inf\"} 4\n"
            "d_seconds_sum{stage=\"a\"} 7.25\n"
            "d_seconds_count{stage=\"a\"} 4\n");
}

}  // namespace
}  // namespace ignite::metrics
