// Counters, gauges and histograms with labels, in a Registry that writes them in the Prometheus
// text format (metric_writer.h), for serve's GET /metrics (docs/metrics.md).
//
// The hot path is one atomic operation (a histogram's: a binary search over its bounds, then
// two): look a labelled series up once with `family.with({...})`, keep the reference (it
// lives as long as the registry), and observe on it from any thread. Figures read from
// elsewhere at scrape time (a database, a queue's length) are not kept here at all: a collector
// (Registry::add_collector) writes them when the page is asked for.
//
// Names follow Prometheus's conventions: ignite_<what>_<unit>, base units (seconds, bytes), a
// counter's ending in _total. Registering a name twice with the same type and label names gives
// the same family; anything else that is a programming error (an invalid name, another type or
// labels under a registered name, a series asked for with the wrong number of label values)
// aborts with a message, at the first run of the code that has it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "builder/metrics/metric_writer.h"

namespace ignite::metrics {

// A value that only goes up (bytes sent, builds finished). inc() with a negative amount is
// ignored: a counter that went down would read as a restart.
class Counter {
 public:
  void inc(double by = 1) {
    if (by > 0) value_.fetch_add(by, std::memory_order_relaxed);
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down.
class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted into buckets by upper bound (le: less or equal), with their sum.
class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds);
  // NaN is ignored.
  void observe(double v);
  // The counts as the format has them: cumulative[i] observations <= bounds[i], and the last
  // entry (one more than the bounds) all of them.
  std::vector<std::uint64_t> cumulative() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double>& bounds_;  // the family's, which outlives this
  // Per bucket, not cumulative, so an observation touches one; the last is (bounds.back(), +Inf).
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

// Stage durations: 1 ms to 10 min, about three buckets a decade.
std::vector<double> duration_buckets();

// What every family has: a name, its help, its type and its label names.
class FamilyBase {
 public:
  virtual ~FamilyBase() = default;
  const std::string& name() const { return name_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // # HELP, # TYPE and every series, by label values.
  void write(MetricWriter& out) const;

 protected:
  FamilyBase(std::string_view name, std::string_view help, MetricType type,
             std::vector<std::string> label_names);
  // `values` as a key, after checking there is one per label name (aborts otherwise).
  std::vector<std::string> key(std::initializer_list<std::string_view> values) const;
  // The label pairs of a series' key.
  Labels labels(const std::vector<std::string>& key) const;
  virtual void write_series(MetricWriter& out) const = 0;

 private:
  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
};

// The series of one metric, one per combination of label values, made on first use.
template <typename Series>
class Family final : public FamilyBase {
 public:
  Family(std::string_view name, std::string_view help, MetricType type,
         std::vector<std::string> label_names, std::vector<double> bounds = {})
      : FamilyBase(name, help, type, std::move(label_names)), bounds_(std::move(bounds)) {}

  // The series with these label values, one per label name and in their order. Takes a lock
  // and a map lookup: keep the reference rather than asking on every observation.
  Series& with(std::initializer_list<std::string_view> values) {
    std::vector<std::string> k = key(values);
    std::lock_guard lock(mutex_);
    auto& slot = series_[std::move(k)];
    if (!slot) {
      if constexpr (std::is_same_v<Series, Histogram>) {
        slot = std::make_unique<Histogram>(bounds_);
      } else {
        slot = std::make_unique<Series>();
      }
    }
    return *slot;
  }
  // The series of a family without labels.
  Series& get() { return with({}); }
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  void write_series(MetricWriter& out) const override {
    std::lock_guard lock(mutex_);
    for (const auto& [k, series] : series_) {
      if constexpr (std::is_same_v<Series, Histogram>) {
        const std::vector<std::uint64_t> counts = series->cumulative();
        out.histogram(labels(k), series->bounds(), counts, series->sum());
      } else {
        out.sample(name(), labels(k), series->value());
      }
    }
  }

  const std::vector<double> bounds_;  // a histogram's; its series refer to it
  mutable std::mutex mutex_;          // guards the map, not the series (they are atomic)
  std::map<std::vector<std::string>, std::unique_ptr<Series>> series_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class Registry {
 public:
  // Writes figures computed when the page is asked for: it calls out.family(...) then
  // out.sample(...) (or out.histogram(...)) for each of its families, and out.comment(...) to
  // say why a figure is missing. It runs on the scraping thread (an HTTP request's), one
  // collector at a time, and must not add or remove collectors itself.
  using Collector = std::function<void(MetricWriter& out)>;

  // Removes its collector when destroyed, waiting for a scrape that is running it: what the
  // collector refers to may go away right after. Movable; an empty one removes nothing.
  class CollectorHandle {
   public:
    CollectorHandle() = default;
    CollectorHandle(CollectorHandle&& other) noexcept;
    CollectorHandle& operator=(CollectorHandle&& other) noexcept;
    ~CollectorHandle();

   private:
    friend class Registry;
    CollectorHandle(Registry* registry, std::uint64_t id) : registry_(registry), id_(id) {}
    Registry* registry_ = nullptr;
    std::uint64_t id_ = 0;
  };

  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  CounterFamily& counter(std::string_view name, std::string_view help,
                         std::vector<std::string> label_names = {});
  GaugeFamily& gauge(std::string_view name, std::string_view help,
                     std::vector<std::string> label_names = {});
  // `bounds`: the buckets' upper bounds, increasing, finite (+Inf is always added).
  HistogramFamily& histogram(std::string_view name, std::string_view help,
                             std::vector<double> bounds, std::vector<std::string> label_names = {});

  [[nodiscard]] CollectorHandle add_collector(Collector collect);

  // The whole page: the registered families in the order registered, each series by its label
  // values, then what each collector writes, in the order added.
  std::string scrape() const;

 private:
  // The family registered as `name`, if its type and labels are these (aborts if not), or
  // `make()`'s, registered now.
  template <typename F, typename Make>
  F& find_or_add(std::string_view name, MetricType type, const std::vector<std::string>& labels,
                 Make make);
  void remove_collector(std::uint64_t id);

  mutable std::mutex families_mutex_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
  // Held through a scrape's collectors, so that a handle's removal waits for them.
  mutable std::mutex collectors_mutex_;
  std::map<std::uint64_t, Collector> collectors_;
  std::uint64_t next_collector_ = 1;
};

// The process's registry, for what has no context to be handed one (serve passes it on to
// everything it builds). Never destroyed, so a collector removed at exit finds it still there.
Registry& default_registry();

}  // namespace ignite::metrics
