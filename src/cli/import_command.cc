// ignite-builder import ORG/APP[:vN] --containerd SOCKET [--namespace NS] [--store DIR] [-o json]
#include <iostream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "builder/pipeline/containerd_import.h"
#include "builder/pipeline/function_store.h"
#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/containerd_flags.h"
#include "src/cli/publish_options.h"
#include "src/cli/report.h"
#include "src/cli/store_option.h"
#include "src/cli/version_ref.h"

namespace ignite::cli {
namespace {

const std::string kImportUsage =
    std::string(
        "usage: ignite-builder import ORG/APP[:vN] --containerd SOCKET [--namespace NS]\n"
        "                             [--store DIR] [-o text|json] [--progress|--quiet]\n"
        "                             [--registry HOST[:PORT] [--registry-ca FILE] [--plain-http]\n"
        "                              [--registry-user USER [--registry-password-stdin]]]\n"
        "  places version N of the app (default: its latest) into containerd's content store as\n"
        "  <registry host or ignite.local>/ORG/APP:vN, so a node runs it with no pull; blobs\n"
        "  containerd has are not sent again, and a name that already names another digest is\n"
        "  refused (docs/containerd.md)\n") +
    kContainerdFlagsUsage +
    std::string(
        "  --registry HOST[:PORT]  how to reach the registry the version was published to, when\n"
        "                          it keeps blobs only there (a registry base's layers); without\n"
        "                          it: the system's CAs and ~/.docker/config.json\n") +
    kRegistryFlagsUsage;

}  // namespace

int run_import(const std::vector<std::string>& argv, Io io) {
  auto parsed = parse_command(argv,
                              {kContainerdFlag,
                               kNamespaceFlag,
                               kStoreFlag,
                               {"--output", "-o", true},
                               kProgressFlag,
                               kQuietFlag},
                              1, "import takes one ORG/APP[:vN]", kImportUsage, io);
  if (const int* exit = std::get_if<int>(&parsed)) return *exit;
  const Args& args = std::get<Args>(parsed);
  auto format = parse_output_format(args.value_or("--output", "text"));
  if (!format.ok()) return usage_error(io, format.status().message(), kImportUsage);
  auto ref = parse_version_ref(args.positional()[0]);
  if (!ref.ok()) return usage_error(io, ref.status().message(), kImportUsage);
  auto target = containerd_target_from(args);
  if (!target.ok()) return usage_error(io, target.status().message(), kImportUsage);
  if (!*target) return usage_error(io, "import needs --containerd SOCKET", kImportUsage);
  auto registry = registry_target_from(args, std::cin);
  if (!registry.ok()) return usage_error(io, registry.status().message(), kImportUsage);

  auto store = pipeline::FunctionStore::open(store_dir(args), pipeline::OpenStore::kExisting);
  if (!store.ok()) return report_error(io, store.status());
  auto version = pipeline::store_version(*store, ref->app, ref->number);
  if (!version.ok()) return report_error(io, version.status());

  ProgressChoice choice(args, io.err);
  auto result =
      pipeline::import_version(*store, ref->app, *version, **target, *registry, choice.progress());
  choice.progress().done();
  if (!result.ok()) return report_error(io, result.status());

  if (*format == OutputFormat::kJson) {
    io.out << containerd_json(**target, *result).dump(2) << "\n";
    return kExitOk;
  }
  io.out << "image      " << result->name << "\n"
         << "digest     " << result->manifest.digest.to_string() << "\n"
         << "namespace  " << (*target)->ns << "\n";
  print_containerd_text(io.out, *result);
  return kExitOk;
}

}  // namespace ignite::cli
