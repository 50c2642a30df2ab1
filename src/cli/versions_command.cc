// ignite-builder versions ORG/APP [--store DIR] [-o json]
#include <ctime>
#include <memory>
#include <optional>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <ostream>

#include "builder/pipeline/function_store.h"
#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/report.h"
#include "src/cli/store_option.h"

namespace ignite::cli {
namespace {

const std::string kVersionsUsage = std::string(
    "usage: ignite-builder versions ORG/APP [--store DIR] [--database URL] [-o text|json]\n"
    "  lists the app's versions: number, when it was recorded, manifest digest, codeHash (empty\n"
    "  for an image published with publish-image), lockHash and dependency layer (- for a\n"
    "  function without dependencies) and the registries it was tagged in; -o json adds its\n"
    "  base, its recorded inputs and the digests of its SBOM and provenance\n") +
    kDatabaseUsage;

std::string utc(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The dependency layer's digest, as the version's inputs record it ("" when it has none).
std::string deps_layer_of(const store::VersionRecord& v) {
  auto inputs = nlohmann::json::parse(v.inputs, nullptr, false);
  if (!inputs.is_object()) return "";
  auto it = inputs.find("depsLayer");
  return it != inputs.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string shortened(const std::string& digest) { return digest.empty() ? "-" : digest.substr(0, 19); }

}  // namespace

int run_versions(const std::vector<std::string>& argv, Io io) {
  auto parsed = parse_command(argv, {kStoreFlag, kDatabaseFlag, {"--output", "-o", true}}, 1,
                              "versions takes one ORG/APP", kVersionsUsage, io);
  if (const int* exit = std::get_if<int>(&parsed)) return *exit;
  const Args& args = std::get<Args>(parsed);
  auto format = parse_output_format(args.value_or("--output", "text"));
  if (!format.ok()) return usage_error(io, format.status().message(), kVersionsUsage);
  auto app = store::AppId::parse(args.positional()[0]);
  if (!app.ok()) return usage_error(io, app.status().message(), kVersionsUsage);

  auto backend = store_backend(args);
  if (!backend.ok()) return usage_error(io, backend.status().message(), kVersionsUsage);
  // A shared database is read as it is: this node's directory (its caches) may not even exist.
  std::unique_ptr<store::VersionStore> shared;
  std::optional<pipeline::FunctionStore> local;
  store::VersionStore* records = nullptr;
  if (backend->is_postgres()) {
    auto opened = backend->open_versions();
    if (!opened.ok()) return report_error(io, opened.status());
    shared = std::move(*opened);
    records = shared.get();
  } else {
    auto opened = pipeline::FunctionStore::open(*backend, pipeline::OpenStore::kExisting);
    if (!opened.ok()) return report_error(io, opened.status());
    local.emplace(std::move(*opened));
    records = &local->versions();
  }
  auto versions = records->versions(*app);
  if (!versions.ok()) return report_error(io, versions.status());

  if (*format == OutputFormat::kJson) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& v : *versions) {
      list.push_back({{"version", v.number},
                      {"digest", v.manifest_digest},
                      {"codeHash", v.code_hash},
                      {"lockHash", v.lock_hash},
                      {"depsLayer", deps_layer_of(v)},
                      {"baseDigest", v.base_digest},
                      {"reference", app->ref_name(v.number)},
                      {"createdAt", utc(v.created_at)},
                      {"registries", v.registries},
                      // The artifact manifests referring to the image ("" when none).
                      {"sbomDigest", v.sbom_digest},
                      {"provenanceDigest", v.provenance_digest},
                      {"inputs", nlohmann::json::parse(v.inputs, nullptr, false)}});
    }
    io.out << nlohmann::json{{"app", app->to_string()}, {"versions", list}}.dump(2) << "\n";
    return kExitOk;
  }
  io.out << std::left << std::setw(8) << "VERSION" << std::setw(22) << "CREATED" << std::setw(20)
         << "DIGEST" << std::setw(21) << "CODEHASH" << std::setw(21) << "LOCKHASH" << std::setw(21)
         << "DEPS" << "REGISTRIES\n";
  for (const auto& v : *versions) {
    io.out << std::setw(8) << ("v" + std::to_string(v.number)) << std::setw(22) << utc(v.created_at)
           << std::setw(20) << v.manifest_digest.substr(0, 19)
           << std::setw(21) << (v.code_hash.empty() ? std::string("(image draft)") : v.code_hash.substr(0, 19))
           << std::setw(21) << shortened(v.lock_hash) << std::setw(21) << shortened(deps_layer_of(v));
    std::string registries;
    for (const auto& r : v.registries) registries += (registries.empty() ? "" : ",") + r;
    io.out << (registries.empty() ? "-" : registries) << "\n";
  }
  return kExitOk;
}

}  // namespace ignite::cli
