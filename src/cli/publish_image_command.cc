// ignite-builder publish-image IMAGE --org ORG --app APP [--registry HOST] [--store DIR] [-o json]
#include <nlohmann/json.hpp>
#include <iostream>
#include <ostream>

#include "builder/oci/media_types.h"
#include "builder/pipeline/publish_image.h"
#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/publish_options.h"
#include "src/cli/report.h"
#include "src/cli/store_option.h"

namespace ignite::cli {
namespace {

const std::string kPublishImageUsage = std::string(
    "usage: ignite-builder publish-image IMAGE --org ORG --app APP [--store DIR]\n"
    "                            [--registry HOST[:PORT] [--registry-ca FILE] [--plain-http]\n"
    "                             [--registry-user USER [--registry-password-stdin]]]\n"
    "                            [-o text|json] [--progress|--quiet]\n"
    "  IMAGE       an existing image to publish unchanged as the app's next version:\n"
    "              HOST[:PORT]/REPO:TAG or @sha256:... in a registry (docker://... also), or\n"
    "              DIR:REF in an OCI layout (oci:DIR:REF); an index is resolved to linux/amd64\n"
    "  --org, --app  the app to publish a version of; --app ORG/APP (or ORG:APP) alone works too\n"
    "  --registry HOST[:PORT]  publish HOST/ORG/APP:vN: blobs the repository lacks are mounted\n"
    "              from IMAGE's repository on the same registry, else uploaded; the store keeps\n"
    "              the manifest and config. Without --registry the image is copied into the store.\n"
    ) + kRegistryFlagsUsage + std::string(
    "  --store     the store directory (default: $IGNITE_STORE, /var/lib/ignite-builder as root,\n"
    "              else ~/.local/share/ignite-builder)\n"
    "  --progress  show stages on stderr even when it is not a terminal; --quiet never\n");

}  // namespace

int run_publish_image(const std::vector<std::string>& argv, Io io) {
  auto parsed = parse_command(argv,
                              {kOrgFlag, kAppFlag, kStoreFlag, {"--output", "-o", true}, kProgressFlag,
                               kQuietFlag, kRegistryFlag, kRegistryCaFlag, kPlainHttpFlag, kRegistryUserFlag,
                               kPasswordStdinFlag},
                              1, "publish-image takes exactly one IMAGE", kPublishImageUsage, io);
  if (const int* exit = std::get_if<int>(&parsed)) return *exit;
  const Args& args = std::get<Args>(parsed);
  auto format = parse_output_format(args.value_or("--output", "text"));
  if (!format.ok()) return usage_error(io, format.status().message(), kPublishImageUsage);
  auto app = app_from(args);
  if (!app.ok()) return usage_error(io, app.status().message(), kPublishImageUsage);
  auto registry = registry_target_from(args, std::cin);
  if (!registry.ok()) return usage_error(io, registry.status().message(), kPublishImageUsage);

  ProgressChoice choice(args, io.err);
  auto store = pipeline::FunctionStore::open(store_dir(args), pipeline::OpenStore::kCreateIfMissing);
  if (!store.ok()) return report_error(io, store.status());
  pipeline::PublishImageRequest request{args.positional()[0], *app, *registry};
  auto result = pipeline::publish_image(*store, request, choice.progress());
  choice.progress().done();
  if (!result.ok()) return report_error(io, result.status());
  for (const auto& warning : result->warnings) io.err << "ignite-builder: warning: " << warning << "\n";

  const std::string image = "oci:" + store->layout_dir() + ":" + result->reference;
  if (*format == OutputFormat::kJson) {
    nlohmann::json j = {{"app", app->to_string()},
                        {"codeHash", ""},
                        {"version", result->version},
                        {"digest", result->manifest.digest.to_string()},
                        {"mediaType", result->manifest.media_type},
                        {"reference", result->reference},
                        {"source", result->source},
                        {"image", image},
                        {"store", store->dir()}};
    if (const auto& r = result->registry) j["registry"] = registry_json(*r);
    io.out << j.dump(2) << "\n";
  } else {
    io.out << "version    " << result->version << "\n"
           << "digest     " << result->manifest.digest.to_string() << "\n"
           << "source     " << result->source << "\n"
           << "reference  " << result->reference << "\n"
           << "image      " << image << (result->registry ? " (manifest and config; layers in the registry)" : "")
           << "\n";
    if (result->manifest.media_type == oci::kMediaTypeDockerManifest) {
      // containers/image (skopeo, podman, buildah) reads only OCI manifests from a layout.
      io.out << "           a Docker schema 2 manifest, kept as it is: skopeo's oci: transport does not "
                "read it from the layout\n";
    }
    if (const auto& r = result->registry) print_registry_text(io.out, *r);
  }
  return kExitOk;
}

}  // namespace ignite::cli
