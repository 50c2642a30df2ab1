#include "builder/metrics/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace ignite::metrics {
namespace {

TEST(MetricsTest, ACounterIsWrittenExactly) {
  Registry registry;
  Counter& c = registry.counter("ignite_things_total", "Things done.").get();
  c.inc();
  c.inc(2);
  c.inc(-5);  // ignored: a counter never goes down
  EXPECT_EQ(registry.scrape(),
            "# HELP ignite_things_total Things done.\n"
            "# TYPE ignite_things_total counter\n"
            "ignite_things_total 3\n");
}

TEST(MetricsTest, ALabelledGaugeWritesItsSeriesByLabelValues) {
  Registry registry;
  GaugeFamily& depth = registry.gauge("ignite_depth", "Queued.", {"org", "kind"});
  depth.with({"zeta", "DRAFT"}).set(2);
  depth.with({"acme", "VERSION"}).set(5);
  depth.with({"acme", "VERSION"}).add(-1.5);
  EXPECT_EQ(registry.scrape(),
            "# HELP ignite_depth Queued.\n"
            "# TYPE ignite_depth gauge\n"
            "ignite_depth{org=\"acme\",kind=\"VERSION\"} 3.5\n"
            "ignite_depth{org=\"zeta\",kind=\"DRAFT\"} 2\n");
}

TEST(MetricsTest, AHistogramCountsByUpperBoundAndEscapesItsLabels) {
  Registry registry;
  HistogramFamily& h = registry.histogram("ignite_stage_seconds", "Stage \\ time.\nSecond line.",
                                          {0.1, 1}, {"stage"});
  Histogram& odd = h.with({"a\"b\\c\nd"});
  odd.observe(0.1);  // on a bound: counted in its bucket (le is "less or equal")
  odd.observe(0.5);
  odd.observe(2);
  odd.observe(std::numeric_limits<double>::quiet_NaN());  // ignored
  EXPECT_EQ(registry.scrape(),
            "# HELP ignite_stage_seconds Stage \\\\ time.\\nSecond line.\n"
            "# TYPE ignite_stage_seconds histogram\n"
            "ignite_stage_seconds_bucket{stage=\"a\\\"b\\\\c\\nd\",le=\"0.1\"} 1\n"
            "ignite_stage_seconds_bucket{stage=\"a\\\"b\\\\c\\nd\",le=\"1\"} 2\n"
            "ignite_stage_seconds_bucket{stage=\"a\\\"b\\\\c\\nd\",le=\"+Inf\"} 3\n"
            "ignite_stage_seconds_sum{stage=\"a\\\"b\\\\c\\nd\"} 2.6\n"
            "ignite_stage_seconds_count{stage=\"a\\\"b\\\\c\\nd\"} 3\n");
}

TEST(MetricsTest, RegisteringANameAgainGivesTheSameFamily) {
  Registry registry;
  CounterFamily& a = registry.counter("ignite_x_total", "X.", {"l"});
  CounterFamily& b = registry.counter("ignite_x_total", "X.", {"l"});
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(&a.with({"v"}), &b.with({"v"}));
}

TEST(MetricsDeathTest, MisusesAbortNamingTheMetric) {
  Registry registry;
  registry.counter("ignite_x_total", "X.", {"l"});
  EXPECT_DEATH(registry.gauge("ignite_x_total", "X."), "ignite_x_total is registered already");
  EXPECT_DEATH(registry.counter("ignite_x_total", "X.", {"l"}).with({"a", "b"}),
               "ignite_x_total has 1 labels, asked with 2 values");
  EXPECT_DEATH(registry.counter("bad name", "X."), "is not a metric name");
  EXPECT_DEATH(registry.histogram("ignite_h", "H.", {1, 0.5}), "finite and increasing");
}

TEST(MetricsTest, ManyThreadsCountExactly) {
  Registry registry;
  CounterFamily& family = registry.counter("ignite_n_total", "N.", {"t"});
  HistogramFamily& hist = registry.histogram("ignite_h_seconds", "H.", {0.5});
  constexpr int kThreads = 8;
  constexpr int kEach = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Counter& shared = family.with({"all"});
      Counter& own = family.with({t % 2 ? "odd" : "even"});  // made concurrently
      Histogram& h = hist.get();
      for (int i = 0; i < kEach; ++i) {
        shared.inc();
        own.inc(2);
        h.observe(i % 2 ? 1.0 : 0.25);  // exact in binary: the sum is exact too
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(family.with({"all"}).value(), kThreads * kEach);
  EXPECT_EQ(family.with({"odd"}).value(), kThreads / 2 * kEach * 2);
  EXPECT_EQ(family.with({"even"}).value(), kThreads / 2 * kEach * 2);
  const std::vector<std::uint64_t> counts = hist.get().cumulative();
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_EQ(counts[0], static_cast<std::uint64_t>(kThreads * kEach / 2));
  EXPECT_EQ(counts[1], static_cast<std::uint64_t>(kThreads * kEach));
  EXPECT_EQ(hist.get().sum(), kThreads * kEach / 2 * 1.25);
}

TEST(MetricsTest, CollectorsWriteAfterTheFamiliesUntilTheirHandleGoes) {
  Registry registry;
  registry.gauge("ignite_a", "A.").get().set(1);
  std::string page;
  {
    Registry::CollectorHandle handle = registry.add_collector([](MetricWriter& out) {
      out.family("ignite_outbox_depth", "Events not yet sent.", MetricType::kGauge);
      out.sample("ignite_outbox_depth", {}, 7);
    });
    Registry::CollectorHandle moved = std::move(handle);  // the moved-from one removes nothing
    page = registry.scrape();
  }
  EXPECT_EQ(page,
            "# HELP ignite_a A.\n# TYPE ignite_a gauge\nignite_a 1\n"
            "# HELP ignite_outbox_depth Events not yet sent.\n"
            "# TYPE ignite_outbox_depth gauge\n"
            "ignite_outbox_depth 7\n");
  EXPECT_EQ(registry.scrape(), "# HELP ignite_a A.\n# TYPE ignite_a gauge\nignite_a 1\n");
}

TEST(MetricsTest, TheDefaultRegistryIsOnePerProcess) {
  EXPECT_EQ(&default_registry(), &default_registry());
}

}  // namespace
}  // namespace ignite::metrics
