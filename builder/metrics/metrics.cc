#include "builder/metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace ignite::metrics {
namespace {

// A programming error in how metrics are declared or used: stop at once, saying which.
[[noreturn]] void misuse(const std::string& what) {
  std::fprintf(stderr, "ignite-builder: metrics: %s\n", what.c_str());
  std::abort();
}

}  // namespace

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(new std::atomic<std::uint64_t>[bounds.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::observe(double v) {
  if (std::isnan(v)) return;
  // The first bound >= v: the bucket whose le takes it; past the last, the +Inf bucket.
  const auto at = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  counts_[static_cast<std::size_t>(at)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::cumulative() const {
  // Read bucket by bucket while others observe: the page may miss an observation in flight,
  // but _count is always the +Inf bucket, as the format requires.
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    out[i] = total;
  }
  return out;
}

std::vector<double> duration_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
          1,     2.5,    5,     10,   30,    60,   120, 300,  600};
}

FamilyBase::FamilyBase(std::string_view name, std::string_view help, MetricType type,
                       std::vector<std::string> label_names)
    : name_(name), help_(help), type_(type), label_names_(std::move(label_names)) {
  if (!is_valid_metric_name(name_)) misuse("\"" + name_ + "\" is not a metric name");
  for (const auto& l : label_names_) {
    // le is the histogram's own label.
    if (!is_valid_label_name(l) || (type == MetricType::kHistogram && l == "le")) {
      misuse(name_ + ": \"" + l + "\" is not a label name it can have");
    }
  }
}

std::vector<std::string> FamilyBase::key(std::initializer_list<std::string_view> values) const {
  if (values.size() != label_names_.size()) {
    misuse(name_ + " has " + std::to_string(label_names_.size()) + " labels, asked with " +
           std::to_string(values.size()) + " values");
  }
  return std::vector<std::string>(values.begin(), values.end());
}

Labels FamilyBase::labels(const std::vector<std::string>& key) const {
  Labels out;
  out.reserve(key.size());
  for (std::size_t i = 0; i < key.size(); ++i) out.emplace_back(label_names_[i], key[i]);
  return out;
}

void FamilyBase::write(MetricWriter& out) const {
  out.family(name_, help_, type_);
  write_series(out);
}

// ---- Registry ----

template <typename F, typename Make>
F& Registry::find_or_add(std::string_view name, MetricType type,
                         const std::vector<std::string>& labels, Make make) {
  std::lock_guard lock(families_mutex_);
  for (const auto& f : families_) {
    if (f->name() != name) continue;
    auto* same = dynamic_cast<F*>(f.get());
    if (same == nullptr || f->type() != type || f->label_names() != labels) {
      misuse(std::string(name) + " is registered already with another type or labels");
    }
    return *same;
  }
  std::unique_ptr<F> made = make();
  F& out = *made;
  families_.push_back(std::move(made));
  return out;
}

CounterFamily& Registry::counter(std::string_view name, std::string_view help,
                                 std::vector<std::string> label_names) {
  return find_or_add<CounterFamily>(name, MetricType::kCounter, label_names, [&] {
    return std::make_unique<CounterFamily>(name, help, MetricType::kCounter, label_names);
  });
}

GaugeFamily& Registry::gauge(std::string_view name, std::string_view help,
                             std::vector<std::string> label_names) {
  return find_or_add<GaugeFamily>(name, MetricType::kGauge, label_names, [&] {
    return std::make_unique<GaugeFamily>(name, help, MetricType::kGauge, label_names);
  });
}

HistogramFamily& Registry::histogram(std::string_view name, std::string_view help,
                                     std::vector<double> bounds,
                                     std::vector<std::string> label_names) {
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      misuse(std::string(name) + ": bucket bounds must be finite and increasing");
    }
  }
  HistogramFamily& family =
      find_or_add<HistogramFamily>(name, MetricType::kHistogram, label_names, [&] {
        return std::make_unique<HistogramFamily>(name, help, MetricType::kHistogram, label_names,
                                                 bounds);
      });
  if (family.bounds() != bounds) {
    misuse(std::string(name) + " is registered already with other buckets");
  }
  return family;
}

Registry::CollectorHandle Registry::add_collector(Collector collect) {
  std::lock_guard lock(collectors_mutex_);
  const std::uint64_t id = next_collector_++;
  collectors_.emplace(id, std::move(collect));
  return CollectorHandle(this, id);
}

void Registry::remove_collector(std::uint64_t id) {
  std::lock_guard lock(collectors_mutex_);
  collectors_.erase(id);
}

std::string Registry::scrape() const {
  std::string page;
  MetricWriter out(page);
  {
    std::lock_guard lock(families_mutex_);
    for (const auto& f : families_) f->write(out);
  }
  std::lock_guard lock(collectors_mutex_);
  for (const auto& [id, collect] : collectors_) collect(out);
  return page;
}

Registry::CollectorHandle::CollectorHandle(CollectorHandle&& other) noexcept
    : registry_(other.registry_), id_(other.id_) {
  other.registry_ = nullptr;
}

Registry::CollectorHandle& Registry::CollectorHandle::operator=(CollectorHandle&& other) noexcept {
  if (this != &other) {
    if (registry_ != nullptr) registry_->remove_collector(id_);
    registry_ = other.registry_;
    id_ = other.id_;
    other.registry_ = nullptr;
  }
  return *this;
}

Registry::CollectorHandle::~CollectorHandle() {
  if (registry_ != nullptr) registry_->remove_collector(id_);
}

Registry& default_registry() {
  static Registry* const registry = new Registry();
  return *registry;
}

}  // namespace ignite::metrics
