// ignite-builder store check [--store DIR] [--deep]
// ignite-builder store base [--store DIR] [--rebuild]
#include <ostream>

#include "builder/pipeline/python_base.h"
#include "builder/pipeline/store_check.h"
#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/report.h"
#include "src/cli/store_option.h"

namespace ignite::cli {
namespace {

constexpr const char* kStoreUsage =
    "usage: ignite-builder store check [--store DIR] [--deep]\n"
    "         checks that every version has its ref and every blob, and every version ref a\n"
    "         version; --deep also re-hashes every blob. Exits 1 on any inconsistency.\n"
    "       ignite-builder store base [--store DIR] [--rebuild]\n"
    "         makes the default Python base image (debootstrap, needs root) if the store lacks\n"
    "         it, or again with --rebuild; prints its digest\n";

int check(const Args& args, Io io) {
  auto store = pipeline::FunctionStore::open(store_dir(args), pipeline::OpenStore::kExisting);
  if (!store.ok()) return report_error(io, store.status());
  auto report = pipeline::check_store(
      *store, args.has("--deep") ? pipeline::CheckDepth::kContent : pipeline::CheckDepth::kStructure);
  if (!report.ok()) return report_error(io, report.status());
  for (const auto& n : report->notes) io.out << "note: " << n << "\n";
  for (const auto& p : report->problems) io.out << "problem: " << p << "\n";
  io.out << "store " << store->dir() << ": " << report->versions << " versions, " << report->refs
         << " refs, " << report->problems.size() << " problems\n";
  return report->ok() ? kExitOk : kExitFailed;
}

int base(const Args& args, Io io) {
  auto store = pipeline::FunctionStore::open(store_dir(args), pipeline::OpenStore::kCreateIfMissing);
  if (!store.ok()) return report_error(io, store.status());
  pipeline::StreamProgress progress(io.err);
  auto made = pipeline::ensure_python_base(
      *store, args.has("--rebuild") ? pipeline::RebuildBase::kAlways : pipeline::RebuildBase::kIfMissing,
      progress);
  progress.done();
  if (!made.ok()) return report_error(io, made.status());
  io.out << pipeline::kPythonBaseRef << " " << made->digest.to_string() << "\n";
  return kExitOk;
}

}  // namespace

int run_store(const std::vector<std::string>& argv, Io io) {
  auto parsed = parse_command(argv, {kStoreFlag, {"--deep", "", false}, {"--rebuild", "", false}}, 1,
                              "store takes check or base", kStoreUsage, io);
  if (const int* exit = std::get_if<int>(&parsed)) return *exit;
  const Args& args = std::get<Args>(parsed);
  const std::string& what = args.positional()[0];
  if (what == "check") return check(args, io);
  if (what == "base") return base(args, io);
  return usage_error(io, "unknown store command \"" + what + "\"", kStoreUsage);
}

}  // namespace ignite::cli
