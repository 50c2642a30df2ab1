// ignite-builder build SOURCE|--git URL --ref REF [--subdir D] --org ORG --app APP [--base IMAGE]
//                      [--store DIR] [--registry HOST] [package sources] [--allow-bad-record]
//                      [--no-compile] [-o json]
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <iostream>
#include <ostream>

#include "builder/pipeline/build_function.h"
#include "builder/pipeline/containerd_import.h"
#include "builder/pipeline/python_base.h"
#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/containerd_flags.h"
#include "src/cli/git_build_source.h"
#include "src/cli/package_sources.h"
#include "src/cli/publish_options.h"
#include "src/cli/report.h"
#include "src/cli/signing_flags.h"
#include "src/cli/store_option.h"

namespace ignite::cli {
namespace {

const std::string kBuildUsage = std::string(
    "usage: ignite-builder build SOURCE --org ORG --app APP [--base IMAGE] [--store DIR]\n"
    "       ignite-builder build --git URL --ref REF [--subdir DIR] --org ORG --app APP ...\n"
    "                            [--find-links DIR|URL] [--index-url URL] [--no-index] [--refresh]\n"
    "                            [--allow-bad-record] [--no-compile] [--signing-key FILE]\n"
    "                            [--registry HOST[:PORT] [--registry-ca FILE] [--plain-http]\n"
    "                             [--registry-user USER [--registry-password-stdin]]]\n"
    "                            [--containerd SOCKET [--namespace NS]]\n"
    "                            [-o text|json] [--progress|--quiet]\n"
    "  SOURCE      a lone file (taken as handler.py), a directory, or a .tar, .tar.gz or .zip\n"
    "  --git URL   instead of SOURCE: a repository (file://, git://, http://, https://)\n"
    "              fetched at --ref REF (a branch, a tag or a commit id); --subdir DIR is the\n"
    "              directory of its tree to build (default: the root) (docs/git-sources.md)\n"
    "  --org, --app  the app to publish a version of; --app ORG/APP (or ORG:APP) alone works too\n"
    "  --base      the image to build on: HOST[:PORT]/REPO:TAG or @sha256:... in a registry\n"
    "              (resolved to its linux/amd64 digest; with --registry its layers are mounted\n"
    "              or skipped, not downloaded), or DIR:REF in an OCI layout (oci:DIR:REF);\n"
    "              default: Debian bookworm with python3, made once per store with debootstrap\n"
    "  --store     the store directory (default: $IGNITE_STORE, /var/lib/ignite-builder as root,\n"
    "              else ~/.local/share/ignite-builder)\n"
    "  --registry HOST[:PORT]  also publish HOST/ORG/APP:vN\n"
    ) + kRegistryFlagsUsage + std::string(
    "Then place the version into a node's containerd (docs/containerd.md):\n"
    ) + kContainerdFlagsUsage + std::string(
    "Dependencies (requirements.txt, or a pylock.toml used as it is; docs/dependencies.md):\n"
    ) + kPackageSourcesUsage + std::string(
    "  --allow-bad-record  install wheels whose RECORD does not match their files, with a\n"
    "                      warning for each mismatch (default: such a wheel fails the build)\n"
    "  --no-compile        ship no bytecode (default: .pyc files made by the base image's own\n"
    "                      python3, in unchecked-hash mode)\n"
    "Attestations (an SPDX SBOM always; docs/attestations.md):\n"
    ) + kSigningKeyUsage + std::string(
    "  --progress  show stages on stderr even when it is not a terminal; --quiet never\n"
    "  SOURCE_DATE_EPOCH in the environment sets every timestamp in the image (default 0)\n");

nlohmann::json dependencies_json(const pipeline::BuildDependencies& d) {
  nlohmann::json j = {{"lockHash", d.lock_hash},
                      {"lockOrigin", std::string(index::lock_origin_name(d.lock_origin))},
                      {"sources", d.lock_sources},
                      {"lockMs", d.lock_ms}};
  if (const auto& l = d.layer) {
    j["layer"] = {{"digest", l->layer.blob.digest.to_string()},
                  {"size", l->layer.blob.size},
                  {"packages", l->packages},
                  {"cached", l->cached},
                  {"wheelsFetched", l->wheels_fetched},
                  {"wheelsInstalled", l->wheels_installed},
                  {"phasesMs",
                   {{"fetch", l->timings.fetch_ms},
                    {"unpack", l->timings.unpack_ms},
                    {"bytecode", l->timings.bytecode_ms},
                    {"layer", l->timings.layer_ms}}}};
  }
  return j;
}

const FlagSpec kGitFlag{"--git", "", true};
const FlagSpec kRefFlag{"--ref", "", true};
const FlagSpec kSubdirFlag{"--subdir", "", true};

// Whether the command line builds a git source (and so takes no SOURCE).
bool has_git_flag(const std::vector<std::string>& argv) {
  for (const std::string& a : argv) {
    if (a == "--") return false;
    if (a == kGitFlag.name || a.starts_with(kGitFlag.name + "=")) return true;
  }
  return false;
}

nlohmann::json git_json(const git::GitCheckout& c) {
  return {{"url", c.url}, {"ref", c.ref}, {"commit", c.commit}, {"subdir", c.subdir}};
}

}  // namespace

int run_build(const std::vector<std::string>& argv_in, Io io) {
  RepeatedSources repeated;
  auto rest = take_repeated_sources(argv_in, repeated);
  if (!rest.ok()) return usage_error(io, rest.status().message(), kBuildUsage);
  const std::vector<std::string>& argv = *rest;
  const bool from_git = has_git_flag(argv);
  auto parsed = parse_command(argv,
                              {kOrgFlag, kAppFlag, {"--base", "", true}, kStoreFlag,
                               {"--output", "-o", true}, kProgressFlag, kQuietFlag, kRegistryFlag,
                               kRegistryCaFlag, kPlainHttpFlag, kRegistryUserFlag,
                               kPasswordStdinFlag, kIndexUrlFlag, kNoIndexFlag, kRefreshFlag,
                               {"--allow-bad-record", "", false}, {"--no-compile", "", false},
                               kGitFlag, kRefFlag, kSubdirFlag, kContainerdFlag, kNamespaceFlag,
                               kSigningKeyFlag},
                              from_git ? 0 : 1,
                              from_git ? "build takes no SOURCE with --git"
                                       : "build takes exactly one SOURCE (or --git URL --ref REF)",
                              kBuildUsage, io);
  if (const int* exit = std::get_if<int>(&parsed)) return *exit;
  const Args& args = std::get<Args>(parsed);
  auto format = parse_output_format(args.value_or("--output", "text"));
  if (!format.ok()) return usage_error(io, format.status().message(), kBuildUsage);
  auto app = app_from(args);
  if (!app.ok()) return usage_error(io, app.status().message(), kBuildUsage);
  if (from_git && !args.has(kRefFlag.name)) {
    return usage_error(io, "--git needs --ref (a branch, a tag or a commit id)", kBuildUsage);
  }
  if (!from_git && (args.has(kRefFlag.name) || args.has(kSubdirFlag.name))) {
    return usage_error(io, "--ref and --subdir go with --git", kBuildUsage);
  }

  pipeline::BuildRequest request{.source = from_git ? "" : args.positional()[0], .app = *app,
                                 .base = args.value("--base")};
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) request.source_date_epoch = epoch;
  auto registry = registry_target_from(args, std::cin);
  if (!registry.ok()) return usage_error(io, registry.status().message(), kBuildUsage);
  request.registry = *registry;
  auto containerd_target = containerd_target_from(args);
  if (!containerd_target.ok()) {
    return usage_error(io, containerd_target.status().message(), kBuildUsage);
  }
  request.sources = source_options(args, repeated);
  request.refresh = args.has(kRefreshFlag.name) ? index::Refresh::kYes : index::Refresh::kNo;
  request.record = args.has("--allow-bad-record") ? wheel::RecordPolicy::kWarn : wheel::RecordPolicy::kStrict;
  request.bytecode = args.has("--no-compile") ? pipeline::Bytecode::kNone : pipeline::Bytecode::kCompile;
  auto attest = attest_options_from(args);
  if (!attest.ok()) return report_error(io, attest.status());
  request.attest = std::move(*attest);
  ProgressChoice choice(args, io.err);
  pipeline::Progress& progress = choice.progress();

  const std::string dir = store_dir(args);
  auto store = pipeline::FunctionStore::open(dir, pipeline::OpenStore::kCreateIfMissing);
  if (!store.ok()) return report_error(io, store.status());
  // The git source's scratch tree lives until the build has read it, then goes with this object.
  std::optional<git::FetchedGitSource> git_source;
  if (from_git) {
    const git::GitSource source{*args.value(kGitFlag.name), *args.value(kRefFlag.name),
                                args.value_or(kSubdirFlag.name, "")};
    progress.stage("fetch", git::display_url(source.url) + " " + source.ref);
    auto fetched = fetch_git_build_source(source, store->tmp_dir(), io.err);
    if (!fetched.ok()) return report_error(io, fetched.status());
    git_source.emplace(std::move(fetched).value());
    const git::GitCheckout& c = git_source->checkout();
    request.source = c.tree.string();
    request.origin = pipeline::SourceOrigin{pipeline::GitOrigin{c.url, c.ref, c.commit, c.subdir}};
  }
  if (!choice.shown() && !args.has("--quiet") && !request.base &&
      !store->layout().resolve(pipeline::kPythonBaseRef).ok()) {
    // The one long wait a first build has; say so even when stderr is not a terminal.
    io.err << "ignite-builder: making the default Python base image with debootstrap (about a "
              "minute, once per store)\n";
  }
  auto result = pipeline::build_function(*store, request, progress);
  progress.done();
  if (!result.ok()) {
    if (!git_source) return report_error(io, result.status());
    // The tree is a scratch directory of the store: say which commit it holds.
    const git::GitCheckout& c = git_source->checkout();
    return report_error(io, result.status().with_context("building " + c.url + " " + c.ref +
                                                         " @ " + c.commit));
  }
  for (const auto& warning : result->warnings) io.err << "ignite-builder: warning: " << warning << "\n";

  // The version is committed; placing it into containerd is a step after, retried by `import`.
  std::optional<containerd::ImportResult> imported;
  if (const auto& target = *containerd_target) {
    auto version = pipeline::store_version(*store, *app, result->version);
    auto import = version.ok() ? pipeline::import_version(*store, *app, *version, *target,
                                                          request.registry, progress)
                               : Result<containerd::ImportResult>(version.status());
    progress.done();
    if (!import.ok()) {
      const std::string ref = app->ref_name(result->version);
      std::string retry = "ignite-builder import " + ref + " --containerd " + target->socket +
                          " --namespace " + target->ns + " --store " + store->dir();
      if (request.registry) retry += " --registry " + request.registry->host + " ...";
      return report_error(io, import.status().with_context(
                                  "built " + ref + " (" + result->manifest_digest.to_string() +
                                  "), but importing it into containerd failed; retry with `" +
                                  retry + "`"));
    }
    imported = std::move(import).value();
  }

  const std::string image = "oci:" + store->layout_dir() + ":" + result->reference;
  if (*format == OutputFormat::kJson) {
    nlohmann::json j = {{"app", app->to_string()},
                        {"codeHash", result->code_hash.to_string()},
                        {"version", result->version},
                        {"digest", result->manifest_digest.to_string()},
                        {"reference", result->reference},
                        {"image", image},
                        {"baseDigest", result->base_digest},
                        {"store", store->dir()}};
    if (!result->dependencies.lock_hash.empty()) {
      j["lockHash"] = result->dependencies.lock_hash;
      j["dependencies"] = dependencies_json(result->dependencies);
    }
    if (const auto& r = result->registry) j["registry"] = registry_json(*r);
    if (git_source) j["source"] = {{"git", git_json(git_source->checkout())}};
    if (imported) j["containerd"] = containerd_json(**containerd_target, *imported);
    if (const auto& a = result->attestations) j["attestations"] = attestations_json(*a);
    io.out << j.dump(2) << "\n";
  } else {
    if (git_source) {
      const git::GitCheckout& c = git_source->checkout();
      io.out << "source     " << c.url << (c.subdir.empty() ? "" : " (" + c.subdir + ")") << " "
             << c.ref << " @ " << c.commit << "\n";
    }
    io.out << "codeHash   " << result->code_hash.to_string() << "\n";
    if (const auto& d = result->dependencies; !d.lock_hash.empty()) {
      io.out << "lockHash   " << d.lock_hash << " (" << index::lock_origin_name(d.lock_origin) << ")\n";
      if (d.layer) {
        io.out << "deps       " << d.layer->layer.blob.digest.to_string() << " (" << d.layer->packages
               << (d.layer->packages == 1 ? " package" : " packages")
               << (d.layer->cached ? ", cached" : "") << ")\n";
      }
    }
    io.out
           << "version    " << result->version << "\n"
           << "digest     " << result->manifest_digest.to_string() << "\n"
           << "reference  " << result->reference << "\n"
           << "image      " << image << "\n";
    if (const auto& a = result->attestations) print_attestations_text(io.out, *a);
    if (const auto& r = result->registry) print_registry_text(io.out, *r);
    if (imported) {
      io.out << "imported   " << imported->name << " (namespace " << (*containerd_target)->ns
             << ")\n";
      print_containerd_text(io.out, *imported);
    }
  }
  return kExitOk;
}

}  // namespace ignite::cli
