// ignite-builder verify ORG/APP[:vN] [--store DIR] [--source SOURCE] [-o text|json]
#include <nlohmann/json.hpp>
#include <ostream>

#include "builder/pipeline/containerd_import.h"
#include "builder/pipeline/function_store.h"
#include "builder/source/code_hash.h"
#include "builder/source/intake.h"
#include "builder/verify/verify_version.h"
#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/report.h"
#include "src/cli/store_option.h"
#include "src/cli/version_ref.h"

namespace ignite::cli {
namespace {

constexpr const char* kVerifyUsage =
    "usage: ignite-builder verify ORG/APP[:vN] [--store DIR] [--source SOURCE] [-o text|json]\n"
    "  checks version N of the app (default: its latest) against the store: its ref, every\n"
    "  blob's digest and size, every layer's diff_id, the identity labels, and the app layer's\n"
    "  codeHash against the record (and against SOURCE's with --source); one line per check:\n"
    "  PASS|FAIL|SKIP|UNVERIFIABLE  CHECK  EVIDENCE (\"expected ...; actual ...\" when they\n"
    "  differ)  (docs/verify.md)\n"
    "  --source SOURCE  the draft it should have been built from (a file, directory or archive)\n"
    "  exit status: 0 every check passed (skips allowed), 1 a check failed, 2 it could not be\n"
    "  verified (a blob kept only in a registry, a missing version, an unreadable SOURCE) or a\n"
    "  usage error\n";

constexpr int kExitUnverifiable = 2;

// Errors before any check ran: the version could not be verified (exit 2, not 1: 1 says the
// evidence contradicts the record).
int cannot_verify(Io io, const Status& status) {
  report_error(io, status);
  return kExitUnverifiable;
}

std::string result_word(int exit) {
  return exit == 0 ? "pass" : exit == 1 ? "fail" : "unverifiable";
}

}  // namespace

int run_verify(const std::vector<std::string>& argv, Io io) {
  auto parsed = parse_command(argv, {kStoreFlag, {"--source", "", true}, {"--output", "-o", true}},
                              1, "verify takes one ORG/APP[:vN]", kVerifyUsage, io);
  if (const int* exit = std::get_if<int>(&parsed)) return *exit;
  const Args& args = std::get<Args>(parsed);
  auto format = parse_output_format(args.value_or("--output", "text"));
  if (!format.ok()) return usage_error(io, format.status().message(), kVerifyUsage);
  auto ref = parse_version_ref(args.positional()[0]);
  if (!ref.ok()) return usage_error(io, ref.status().message(), kVerifyUsage);

  verify::VerifyOptions options;
  if (auto source = args.value("--source")) {
    auto tree = read_source_path(*source, IntakeOptions{});
    if (!tree.ok()) return cannot_verify(io, tree.status().with_context("--source " + *source));
    options.source_code_hash = code_hash(*tree);
  }
  auto store = pipeline::FunctionStore::open(store_dir(args), pipeline::OpenStore::kExisting);
  if (!store.ok()) return cannot_verify(io, store.status());
  auto version = pipeline::store_version(*store, ref->app, ref->number);
  if (!version.ok()) return cannot_verify(io, version.status());

  const verify::VerifyReport report =
      verify::verify_version(store->layout(), ref->app, *version, options);
  const int exit = report.exit_code();
  const std::string reference = ref->app.ref_name(version->number);

  if (*format == OutputFormat::kJson) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : report.checks) {
      checks.push_back({{"check", c.check},
                        {"result", verify::outcome_name(c.result)},
                        {"expected", c.expected},
                        {"actual", c.actual},
                        {"detail", c.detail}});
    }
    nlohmann::json j = {{"reference", reference},
                        {"version", version->number},
                        {"digest", version->manifest_digest},
                        {"result", result_word(exit)},
                        {"checks", checks}};
    if (exit == kExitUnverifiable) j["reason"] = report.unverifiable_reason();
    io.out << j.dump(2) << "\n";
  } else {
    io.out << "verifying " << reference << " (" << version->manifest_digest << ")\n";
    int counts[4] = {0, 0, 0, 0};
    for (const auto& c : report.checks) {
      ++counts[static_cast<int>(c.result)];
      io.out << verify::outcome_name(c.result) << "  " << c.check << "  ";
      if (c.expected.empty() && c.actual.empty()) {
        io.out << c.detail << "\n";
        continue;
      }
      // Equal evidence is said once; a difference shows both sides.
      if (c.expected == c.actual) {
        io.out << c.actual;
      } else {
        io.out << "expected " << c.expected << "; actual " << c.actual;
      }
      if (!c.detail.empty()) io.out << "  (" << c.detail << ")";
      io.out << "\n";
    }
    io.out << result_word(exit) << ": " << counts[0] << " passed, " << counts[1] << " failed, "
           << counts[2] << " skipped, " << counts[3] << " unverifiable\n";
  }
  if (exit == 1) {
    io.err << "ignite-builder: " << reference << " failed verification (the FAIL lines say what "
           << "differs)\n";
  } else if (exit == kExitUnverifiable) {
    io.err << "ignite-builder: " << reference
           << " could not be verified: " << report.unverifiable_reason() << "\n";
  }
  return exit;
}

}  // namespace ignite::cli
