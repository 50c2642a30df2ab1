// bench_packaging: how fast the packaging rules run on real metadata, next to Python's
// packaging doing the same work. A benchmark, not a test: it prints figures and asserts
// nothing.
//
// The work, on a frozen PyPI index ({project: {version: {"dependencies": [PEP 508]}}}):
// parse every version and sort each project's versions; parse every dependency string and
// evaluate its marker for the default target environment. One operation is one version
// parsed, one requirement parsed or one marker evaluated. Both sides report the best of
// the rounds; failures (strings one side refuses) are counted apart.
//
// Usage: bench_packaging [--index FILE] [--rounds N] [--python PATH] [--no-python]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "builder/python/environment.h"
#include "builder/python/requirement.h"
#include "builder/python/version.h"

namespace {

using ignite::Result;
using ignite::python::Environment;
using ignite::python::Requirement;
using ignite::python::Version;
using nlohmann::json;

struct Counts {
  long projects = 0;
  long versions = 0;
  long version_failures = 0;
  long requirements = 0;
  long requirement_failures = 0;
  long markers = 0;
  long marker_failures = 0;
  long operations() const { return versions + requirements + markers; }
};

// The index as plain strings, so that JSON access stays out of the timed work.
struct Project {
  std::vector<std::string> versions;
  std::vector<std::string> dependencies;  // of all versions
};

std::vector<Project> load_index(const json& index) {
  std::vector<Project> projects;
  for (const auto& [name, versions] : index.items()) {
    if (!versions.is_object()) continue;
    Project p;
    for (const auto& [version, info] : versions.items()) {
      p.versions.push_back(version);
      if (!info.is_object() || !info.contains("dependencies")) continue;
      for (const json& d : info.at("dependencies")) p.dependencies.push_back(d.get<std::string>());
    }
    projects.push_back(std::move(p));
  }
  return projects;
}

Counts work(const std::vector<Project>& projects, const Environment& target) {
  Counts c;
  for (const Project& p : projects) {
    ++c.projects;
    std::vector<Version> parsed;
    parsed.reserve(p.versions.size());
    for (const std::string& text : p.versions) {
      ++c.versions;
      Result<Version> v = Version::parse(text);
      if (v.ok()) {
        parsed.push_back(std::move(v).value());
      } else {
        ++c.version_failures;
      }
    }
    std::sort(parsed.begin(), parsed.end());
    for (const std::string& text : p.dependencies) {
      ++c.requirements;
      Result<Requirement> r = Requirement::parse(text);
      if (!r.ok()) {
        ++c.requirement_failures;
        continue;
      }
      if (r->marker()) {
        ++c.markers;
        if (!r->marker()->evaluate(target).ok()) ++c.marker_failures;
      }
    }
  }
  return c;
}

std::optional<json> run_python(const std::string& python, const std::string& index, int rounds) {
  std::string command = python + " " + IGNITE_BENCH_DIR "/packaging_bench.py '" + index + "' " +
                        std::to_string(rounds);
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) return std::nullopt;
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe.get())) out.append(buf, n);
  json result = json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (result.is_discarded() || !result.contains("seconds")) return std::nullopt;
  return result;
}

void print_row(const char* label, const std::string& a, const std::string& b) {
  std::printf("  %-24s %22s %26s\n", label, a.c_str(), b.c_str());
}

std::string count_text(long n, long failed) {
  return std::to_string(n) + " (" + std::to_string(failed) + " failed)";
}

std::string fixed(double v, const char* unit) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f%s", v, unit);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  std::string index_path = IGNITE_SHARED_DIR "/vectors/resolver/index/pypi-2020-11-17-cheroot.json";
  std::string python = "/usr/bin/python3";
  int rounds = 5;
  bool with_python = true;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--index" && i + 1 < argc) {
      index_path = argv[++i];
    } else if (arg == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--python" && i + 1 < argc) {
      python = argv[++i];
    } else if (arg == "--no-python") {
      with_python = false;
    } else {
      std::cerr << "usage: bench_packaging [--index FILE] [--rounds N] [--python PATH] "
                   "[--no-python]\n";
      return 2;
    }
  }
  std::ifstream in(index_path);
  if (!in) {
    std::cerr << "bench_packaging: cannot open index " << index_path << "\n";
    return 1;
  }
  json index = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (index.is_discarded() || !index.is_object()) {
    std::cerr << "bench_packaging: " << index_path << " is not a JSON object\n";
    return 1;
  }
  std::vector<Project> projects = load_index(index);
  Environment target = Environment::target_default();

  double best = 0;
  Counts counts;
  for (int round = 0; round < rounds; ++round) {
    auto start = std::chrono::steady_clock::now();
    counts = work(projects, target);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = round == 0 ? seconds : std::min(best, seconds);
  }

  std::optional<json> py;
  if (with_python) py = run_python(python, index_path, rounds);

  std::printf("bench_packaging: %s\n", index_path.c_str());
  std::printf("  %ld projects, %ld versions, %ld dependency strings; best of %d rounds\n\n",
              counts.projects, counts.versions, counts.requirements, rounds);
  std::string py_name = py ? "packaging " + py->at("packaging_version").get<std::string>() +
                                 " (Python " + py->at("python").get<std::string>() + ")"
                           : "packaging (not run)";
  print_row("", "ignite (C++)", py_name);
  auto py_count = [&](const char* key) { return py ? py->at(key).get<long>() : 0L; };
  double py_seconds = py ? py->at("seconds").get<double>() : 0;
  long py_ops = py_count("versions") + py_count("requirements") + py_count("markers");
  print_row("time", fixed(best, " s"), py ? fixed(py_seconds, " s") : "-");
  print_row("operations/s", std::to_string(static_cast<long>(counts.operations() / best)),
            py ? std::to_string(static_cast<long>(py_ops / py_seconds)) : "-");
  print_row("versions parsed", count_text(counts.versions, counts.version_failures),
            py ? count_text(py_count("versions"), py_count("version_failures")) : "-");
  print_row("requirements parsed", count_text(counts.requirements, counts.requirement_failures),
            py ? count_text(py_count("requirements"), py_count("requirement_failures")) : "-");
  print_row("markers evaluated", count_text(counts.markers, counts.marker_failures),
            py ? count_text(py_count("markers"), py_count("marker_failures")) : "-");
  if (py) {
    double ratio = (counts.operations() / best) / (py_ops / py_seconds);
    std::printf("\n  ratio: ignite does %.1fx the operations per second of packaging\n", ratio);
  } else if (with_python) {
    std::printf("\n  (the Python run failed: is %s with python3-packaging installed?)\n",
                python.c_str());
  }
  return 0;
}
