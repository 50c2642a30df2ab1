// Running the shared packaging test vectors (../shared/vectors, see its README.md) case by
// case: every case is checked, a failing case fails the test with a message naming it, and
// each test prints how many of its cases passed and which were left out and why.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ignite::python::testing {

// The parsed vectors file, or nullopt when ../shared/vectors is not there.
std::optional<nlohmann::json> load_vectors(std::string_view file);

// Python's None/True/False for an optional bool: null -> nullopt.
std::optional<bool> optional_bool(const nlohmann::json& value);

// A short printable form of a JSON value for failure messages.
std::string show(const nlohmann::json& value);

// Tallies the cases of one section of one file.
class CaseTally {
 public:
  CaseTally(std::string file, std::string section);
  ~CaseTally();  // prints "<file> <section>: N/M cases passed, K left out" and the list
  CaseTally(const CaseTally&) = delete;
  CaseTally& operator=(const CaseTally&) = delete;

  // Records one case; a failure is reported through ADD_FAILURE with the case's name.
  void check(bool passed, const std::string& case_name, const std::string& detail = "");
  void leave_out(const std::string& case_name, const std::string& reason);

 private:
  std::string file_;
  std::string section_;
  int passed_ = 0;
  int failed_ = 0;
  std::vector<std::string> left_out_;
};

}  // namespace ignite::python::testing

// Loads `file` from the shared vectors into `var`, or skips the test saying why.
#define IGNITE_LOAD_VECTORS_OR_SKIP(var, file)                                             \
  auto var##_loaded = ::ignite::python::testing::load_vectors(file);                       \
  if (!var##_loaded) {                                                                     \
    GTEST_SKIP() << "shared test vectors not found at " IGNITE_SHARED_DIR "/vectors/" file \
                 << " (the ../shared checkout beside the repository is missing)";          \
  }                                                                                        \
  const nlohmann::json& var = *var##_loaded
