// Resolver benchmark: resolves resolvelib's real-index cases (chalice, cheroot,
// with-without-extras; ../shared/vectors/resolver/) from the in-memory index, N times each,
// and prints the median and fastest wall time, with the rounds, backjumps and candidates
// tried. Loading the index is timed apart. A benchmark, not a test: it asserts nothing and
// never runs in CI.
//
//   bench_resolve [repetitions] [--max-rounds=N] [case...]
//     default: 20 repetitions, the round limit kDefaultMaxRounds, the three cases;
//     "pyrex-1.9.8" (the pathological one) may be named too.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "builder/resolve/in_memory_index.h"
#include "builder/resolve/resolver.h"
#include "builder/util/file_io.h"

namespace {

using Clock = std::chrono::steady_clock;
using ignite::resolve::InMemoryIndex;
using ignite::resolve::Resolution;
using ignite::resolve::ResolveRequest;

const std::filesystem::path kResolverDir =
    std::filesystem::path(IGNITE_SHARED_DIR) / "vectors" / "resolver";

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

int run_case(const std::string& name, int repetitions, int max_rounds) {
  auto text = ignite::read_file((kResolverDir / "case" / (name + ".json")).string());
  if (!text.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), text.status().to_string().c_str());
    return 1;
  }
  const nlohmann::json c = nlohmann::json::parse(*text);
  const std::string index_name = c.at("index").get<std::string>();
  ResolveRequest request;
  request.options.max_rounds = max_rounds;
  for (const auto& r : c.at("requested")) {
    request.requirements.push_back(*ignite::python::Requirement::parse(r.get<std::string>()));
  }

  std::vector<double> load_ms, resolve_ms;
  Resolution last;
  std::string failure;
  for (int i = 0; i < repetitions; ++i) {
    Clock::time_point start = Clock::now();
    auto index = InMemoryIndex::load((kResolverDir / "index" / (index_name + ".json")).string());
    load_ms.push_back(ms_since(start));
    if (!index.ok()) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), index.status().to_string().c_str());
      return 1;
    }
    // A fresh index each time: nothing is cached between repetitions.
    start = Clock::now();
    auto result = ignite::resolve::resolve(*index, request);
    resolve_ms.push_back(ms_since(start));
    if (result.ok()) {
      last = std::move(*result);
    } else {
      failure = result.status().to_string();
    }
  }
  std::printf("%-22s load %8.2f ms   resolve median %8.3f ms  min %8.3f ms   ", name.c_str(),
              median(load_ms), median(resolve_ms),
              *std::min_element(resolve_ms.begin(), resolve_ms.end()));
  if (failure.empty()) {
    std::printf("%zu pins, %d rounds, %d backjumps, %zu tried\n", last.pins.size(), last.rounds,
                last.backjumps, last.tried.size());
  } else {
    std::printf("failed: %.100s\n", failure.c_str());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int repetitions = argc > 1 ? std::atoi(argv[1]) : 20;
  if (repetitions < 1) repetitions = 1;
  int max_rounds = ignite::resolve::kDefaultMaxRounds;
  std::vector<std::string> cases;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--max-rounds=", 0) == 0) {
      max_rounds = std::atoi(arg.c_str() + 13);
    } else {
      cases.push_back(arg);
    }
  }
  if (cases.empty()) cases = {"chalice", "cheroot", "with-without-extras"};
  std::printf("resolver bench: %d repetitions each, round limit %d, in-memory index, wall time\n",
              repetitions, max_rounds);
  int status = 0;
  for (const std::string& name : cases) status |= run_case(name, repetitions, max_rounds);
  return status;
}
