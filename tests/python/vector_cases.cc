#include "tests/python/vector_cases.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

namespace ignite::python::testing {
namespace {

struct FileTotals {
  int passed = 0;
  int failed = 0;
  int left_out = 0;
};

std::map<std::string, FileTotals>& totals() {
  static std::map<std::string, FileTotals> by_file;
  return by_file;
}

// Prints one line per vectors file once every test in this process has run.
class TotalsPrinter : public ::testing::Environment {
 public:
  void TearDown() override {
    for (const auto& [file, t] : totals()) {
      std::cout << "[ vectors  ] TOTAL " << file << ": " << t.passed << "/" << (t.passed + t.failed)
                << " cases passed, " << t.left_out << " left out\n";
    }
  }
};

[[maybe_unused]] ::testing::Environment* const kTotalsPrinter =
    ::testing::AddGlobalTestEnvironment(new TotalsPrinter);

}  // namespace

std::optional<nlohmann::json> load_vectors(std::string_view file) {
  std::filesystem::path path = std::filesystem::path(IGNITE_SHARED_DIR) / "vectors" / file;
  std::ifstream in(path);
  if (!in) return std::nullopt;
  return nlohmann::json::parse(in);
}

std::optional<bool> optional_bool(const nlohmann::json& value) {
  if (value.is_null()) return std::nullopt;
  return value.get<bool>();
}

std::string show(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', /*ensure_ascii=*/true);
  if (text.size() > 300) text = text.substr(0, 300) + "...";
  return text;
}

CaseTally::CaseTally(std::string file, std::string section)
    : file_(std::move(file)), section_(std::move(section)) {}

CaseTally::~CaseTally() {
  FileTotals& t = totals()[file_];
  t.passed += passed_;
  t.failed += failed_;
  t.left_out += static_cast<int>(left_out_.size());
  std::cout << "[ vectors  ] " << file_ << " " << section_ << ": " << passed_ << "/"
            << (passed_ + failed_) << " cases passed, " << left_out_.size() << " left out\n";
  for (const std::string& line : left_out_)
    std::cout << "[ vectors  ]   left out: " << line << "\n";
}

void CaseTally::check(bool passed, const std::string& case_name, const std::string& detail) {
  if (passed) {
    ++passed_;
    return;
  }
  ++failed_;
  ADD_FAILURE() << file_ << " " << section_ << " case " << case_name
                << (detail.empty() ? "" : ": " + detail);
}

void CaseTally::leave_out(const std::string& case_name, const std::string& reason) {
  left_out_.push_back(case_name + " (" + reason + ")");
}

}  // namespace ignite::python::testing
