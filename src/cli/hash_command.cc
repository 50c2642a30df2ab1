// ignite-builder hash SOURCE [--list] [-o text|json]
#include <nlohmann/json.hpp>

#include <ostream>

#include "builder/source/code_hash.h"
#include "builder/source/intake.h"
#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/report.h"

namespace ignite::cli {

namespace {
constexpr const char* kHashUsage =
    "usage: ignite-builder hash SOURCE [--list] [-o text|json]\n"
    "  SOURCE  a lone file (taken as handler.py), a directory, or a .tar, .tar.gz or .zip archive\n"
    "  --list  also print the lines that went into the hash (kind, sha256, path)\n"
    "  -o, --output FORMAT  text (default) or json\n";
}  // namespace

int run_hash(const std::vector<std::string>& argv, Io io) {
  auto parsed = parse_command(argv, {{"--list", "", false}, {"--output", "-o", true}}, 1,
                              "hash takes exactly one SOURCE", kHashUsage, io);
  if (const int* exit = std::get_if<int>(&parsed)) return *exit;
  const Args& args = std::get<Args>(parsed);
  auto format = parse_output_format(args.value_or("--output", "text"));
  if (!format.ok()) return usage_error(io, format.status().message(), kHashUsage);

  auto tree = read_source_path(args.positional()[0], IntakeOptions{});
  if (!tree.ok()) return report_error(io, tree.status());
  const Digest hash = code_hash(*tree);
  const bool list = args.has("--list");

  if (*format == OutputFormat::kJson) {
    nlohmann::json j;
    j["codeHash"] = hash.to_string();
    j["version"] = kCodeHashVersion;
    j["files"] = tree->entries().size();
    if (list) {
      auto& lines = j["entries"] = nlohmann::json::array();
      for (const auto& [path, entry] : tree->entries()) {
        lines.push_back({{"kind", std::string(1, entry_kind_letter(entry.kind))},
                         {"sha256", sha256_hex(entry.data)},
                         {"path", path}});
      }
    }
    io.out << j.dump(2) << "\n";
  } else {
    if (list) io.out << code_hash_input(*tree);
    io.out << hash.to_string() << "\n";
  }
  return kExitOk;
}

}  // namespace ignite::cli
