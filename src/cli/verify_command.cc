// ignite-builder verify ORG/APP[:vN] [--store DIR] [--source SOURCE] [--rebuild] [--key PUB]
//                       [--find-links DIR]... [--index-url URL] [--extra-index-url URL]...
//                       [-o text|json] [--progress|--quiet] [registry flags]
// ignite-builder verify docker://HOST[:PORT]/ORG/APP:vN [--source SOURCE] [--rebuild] [--key PUB]
//                       [-o text|json] [registry flags]
#include <sys/stat.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "builder/index/url.h"
#include "builder/oci/scratch_layout.h"
#include "builder/pipeline/function_store.h"
#include "builder/pipeline/registry_publish.h"
#include "builder/registry/image_publisher.h"
#include "builder/registry/image_source.h"
#include "builder/source/code_hash.h"
#include "builder/source/intake.h"
#include "builder/verify/deps_check.h"
#include "builder/verify/rebuild_check.h"
#include "builder/verify/verify_version.h"
#include "src/cli/args.h"
#include "src/cli/commands.h"
#include "src/cli/package_sources.h"
#include "src/cli/publish_options.h"
#include "src/cli/report.h"
#include "src/cli/store_option.h"
#include "src/cli/verify_attestations.h"
#include "src/cli/verify_rebuild.h"
#include "src/cli/version_ref.h"

namespace ignite::cli {
namespace {

const std::string kVerifyUsage =
    std::string(
        "usage: ignite-builder verify ORG/APP[:vN] [--store DIR] [--source SOURCE] [--rebuild]\n"
        "                             [--key PUB] [-o text|json]\n"
        "                             [--find-links DIR]... [--index-url URL]\n"
        "                             [--extra-index-url URL]... [--progress|--quiet]\n"
        "                             [--registry HOST[:PORT] [--registry-ca FILE] [--plain-http]\n"
        "                              [--registry-user USER [--registry-password-stdin]]]\n"
        "       ignite-builder verify docker://HOST[:PORT]/ORG/APP:vN [--source SOURCE] "
        "[--rebuild]\n"
        "                             [--key PUB]\n"
        "                             [-o text|json] [registry flags as above]\n"
        "  checks version N of the app (default: its latest) against the store: its ref,\n"
        "  every blob's digest and size, every layer's diff_id, the identity labels, and the\n"
        "  app layer's codeHash against the record (and SOURCE's with --source), and the\n"
        "  dependency layer against the recorded lock re-installed in a scratch store; one line\n"
        "  per check: PASS|FAIL|SKIP|UNVERIFIABLE  CHECK  EVIDENCE (\"expected ...; actual ...\"\n"
        "  when they differ)  (docs/verify.md). A layer the version keeps only in the registry\n"
        "  it was published to is read from there (into a scratch layout under the store's tmp/).\n"
        "  With a docker:// reference, the image in the registry is checked without a store: its\n"
        "  blobs, diff_ids, its labels against themselves and ORG/APP, and the app layer's\n"
        "  codeHash against its dev.ignite.code-hash label (no version record: `record` is SKIP)\n"
        "  Then the attestations attached to the image (docs/attestations.md): the SPDX SBOM\n"
        "  against the recorded lock and the image's dpkg status, the SLSA provenance's claims\n"
        "  against the record (or the labels), and with --key its DSSE signature\n"
        "  --key PUB        the builder's public key (PEM, Ed25519 or ECDSA P-256): the\n"
        "                   provenance must be signed by it\n"
        "  --source SOURCE  the draft it should have been built from (a file, directory or\n"
        "                   archive)\n"
        "  --rebuild        build the version again in a scratch store from SOURCE (or, for a\n"
        "                   version built from git, its recorded URL and commit) with the\n"
        "                   recorded lock, base, epoch and choices, and compare the manifest\n"
        "                   digests, naming the first differing layer and file; without a\n"
        "                   source it is \"rebuild skipped\" (exit 2), and a version made by\n"
        "                   another builder version is \"not comparable\" (exit 2)\n"
        "  -f, --find-links DIR   a directory of wheels for the re-install (repeatable); each "
        "wheel\n"
        "                         is taken from the store's wheel cache, then these, then the\n"
        "                         indexes, then the lock's own path or url: the first whose bytes\n"
        "                         have the lock's sha256\n"
        "  -i, --index-url URL    an index (PEP 503/691) to take the lock's wheels from;\n"
        "                         --extra-index-url URL another, asked after it (repeatable)\n"
        "  --progress       show the re-install's stages on stderr even when it is not a\n"
        "                   terminal; --quiet never\n"
        "  --registry HOST[:PORT]  how to reach the registry (the version's, or the reference's):\n"
        "                          without it, the system's CAs and ~/.docker/config.json\n") +
    kRegistryFlagsUsage +
    std::string(
        "  exit status: 0 every check passed (skips allowed), 1 a check failed, 2 it could not be\n"
        "  verified (a blob the registry cannot give, a lock's wheel no source has, a missing\n"
        "  version, an unreachable registry, an unreadable SOURCE) or a usage error\n");

constexpr int kExitUnverifiable = 2;

// Errors before any check ran: the version could not be verified (exit 2, not 1: 1 says the
// evidence contradicts the record).
int cannot_verify(Io io, const Status& status) {
  report_error(io, status);
  return kExitUnverifiable;
}

// Fetches blobs of `source`'s image into a scratch layout under `scratch_parent`, made and
// the image opened at the first blob asked for; an error opening is every blob's.
class RegistryFetcher {
 public:
  RegistryFetcher(registry::ImageSource source, registry::ClientOptions options,
                  std::string scratch_parent)
      : source_(std::move(source)),
        options_(std::move(options)),
        scratch_parent_(std::move(scratch_parent)) {}

  // An image already opened, into an existing scratch layout.
  RegistryFetcher(registry::OpenedImage image, oci::ScratchLayout* scratch)
      : source_(image.source()), scratch_(scratch) {
    image_.emplace(std::move(image));
  }

  Result<const oci::OciLayout*> fetch(const oci::Descriptor& blob) {
    if (!open_error_.ok()) return open_error_;
    if (!scratch_) {
      auto made = oci::ScratchLayout::make(scratch_parent_, "verify-");
      if (!made.ok()) return open_error_ = made.status();
      owned_.emplace(std::move(made).value());
      scratch_ = &*owned_;
    }
    if (!image_) {
      auto opened = registry::OpenedImage::open(source_, nullptr, options_);
      if (!opened.ok()) return open_error_ = opened.status();
      image_.emplace(std::move(opened).value());
    }
    IGNITE_RETURN_IF_ERROR(image_->fetch_blob(blob, scratch_->layout()));
    return &scratch_->layout();
  }

 private:
  registry::ImageSource source_;
  registry::ClientOptions options_;
  std::string scratch_parent_;
  std::optional<oci::ScratchLayout> owned_;
  oci::ScratchLayout* scratch_ = nullptr;
  std::optional<registry::OpenedImage> image_;
  Status open_error_;
};

// The re-install's wheel sources: --find-links directories (each must be one), then
// --index-url and each --extra-index-url. INVALID_ARGUMENT naming the flag and its value.
Result<verify::DepsCheckOptions> deps_check_options(const Args& args,
                                                    const RepeatedSources& repeated) {
  verify::DepsCheckOptions out;
  for (const std::string& dir : repeated.find_links) {
    if (dir.starts_with("http://") || dir.starts_with("https://")) {
      return invalid_argument("--find-links " + index::redact_url(dir) +
                              ": verify takes a directory of wheels here, not a URL (use "
                              "--index-url for an index)");
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return invalid_argument("--find-links " + dir + ": not a directory");
    }
    out.find_links.push_back(dir);
  }
  std::vector<std::pair<std::string, std::string>> indexes;
  if (auto url = args.value(kIndexUrlFlag.name)) indexes.emplace_back(kIndexUrlFlag.name, *url);
  for (const std::string& url : repeated.extra_index_urls) {
    indexes.emplace_back("--extra-index-url", url);
  }
  for (const auto& [flag, url] : indexes) {
    auto parsed = index::Url::parse(url);  // its error names the URL, credentials redacted
    if (!parsed.ok()) return invalid_argument(flag + ": " + parsed.status().message());
    out.index_urls.push_back(url);
  }
  return out;
}

std::string result_word(int exit) {
  return exit == 0 ? "pass" : exit == 1 ? "fail" : "unverifiable";
}

// Prints the report as text or JSON; returns the exit status.
int print_report(const verify::VerifyReport& report, const std::string& reference,
                 const nlohmann::json& version, const std::string& digest, OutputFormat format,
                 Io io) {
  const int exit = report.exit_code();
  if (format == OutputFormat::kJson) {
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : report.checks) {
      checks.push_back({{"check", c.check},
                        {"result", verify::outcome_name(c.result)},
                        {"expected", c.expected},
                        {"actual", c.actual},
                        {"detail", c.detail}});
    }
    nlohmann::json j = {{"reference", reference},
                        {"version", version},
                        {"digest", digest},
                        {"result", result_word(exit)},
                        {"checks", checks}};
    if (exit == kExitUnverifiable) j["reason"] = report.unverifiable_reason();
    io.out << j.dump(2) << "\n";
  } else {
    io.out << "verifying " << reference << " (" << digest << ")\n";
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

// verify docker://HOST/ORG/APP:TAG: the image in the registry, read into a scratch layout in a
// temporary directory, checked without a version record.
int verify_registry_reference(const std::string& text,
                              const std::optional<pipeline::RegistryTarget>& target,
                              const verify::VerifyOptions& base_options,
                              const std::optional<attest::VerifyingKey>& key, bool rebuild,
                              OutputFormat format, Io io) {
  auto source = registry::ImageSource::parse(text);
  if (!source.ok()) return usage_error(io, source.status().message(), kVerifyUsage);
  const registry::ImageReference& image_ref = source->registry_image;
  auto app = store::AppId::parse(image_ref.repository);
  if (!app.ok()) {
    return usage_error(io,
                       "the reference's repository " + image_ref.repository +
                           " is not ORG/APP: " + app.status().message(),
                       kVerifyUsage);
  }
  if (target && target->host != image_ref.registry) {
    return usage_error(
        io, "--registry " + target->host + " is not the reference's registry " + image_ref.registry,
        kVerifyUsage);
  }
  pipeline::NullProgress progress;
  const registry::ClientOptions options =
      pipeline::client_options_for(image_ref.registry, target, progress);
  auto scratch = oci::ScratchLayout::make_in_tmp("verify-");
  if (!scratch.ok()) return cannot_verify(io, scratch.status());
  auto opened = registry::OpenedImage::open(*source, nullptr, options);
  if (!opened.ok()) {
    return cannot_verify(io, opened.status().with_context("reading " + image_ref.to_string() +
                                                          " from registry " + image_ref.registry));
  }
  const oci::Descriptor manifest = opened->manifest().descriptor();
  // The manifest's bytes as the registry served them (their digest checked against its own):
  // the report's blob line rereads them from the scratch layout.
  auto added = scratch->layout().add_blob(manifest.media_type, opened->manifest().bytes);
  if (!added.ok()) return cannot_verify(io, added.status());

  RegistryFetcher fetcher(std::move(opened).value(), &*scratch);
  verify::VerifyOptions options_with_fetch = base_options;
  options_with_fetch.fetch = [&fetcher](const oci::Descriptor& d) { return fetcher.fetch(d); };
  options_with_fetch.fetched_from = "registry " + image_ref.registry;
  verify::VerifyReport report =
      verify::verify_unrecorded_image(scratch->layout(), manifest, *app, options_with_fetch);
  report.checks.push_back(verify::unrecorded_dependencies_check());
  add_registry_attestation_checks(scratch->layout(), manifest, image_ref, options, key, report);
  if (rebuild) {
    report.checks.push_back(verify::rebuild_skipped(
        "a registry image has no version record: the lock's text and the build's inputs are "
        "kept by the store that built it (verify ORG/APP[:vN] --store DIR --rebuild there)"));
  }

  nlohmann::json version = nullptr;
  if (auto n = registry::parse_version_tag(image_ref.tag)) version = *n;
  return print_report(report, image_ref.to_string(), version, manifest.digest.to_string(), format,
                      io);
}

}  // namespace

int run_verify(const std::vector<std::string>& argv_in, Io io) {
  RepeatedSources repeated;
  auto rest = take_repeated_sources(argv_in, repeated);
  if (!rest.ok()) return usage_error(io, rest.status().message(), kVerifyUsage);
  auto parsed = parse_command(*rest,
                              {kStoreFlag,
                               {"--source", "", true},
                               {"--rebuild", "", false},
                               {"--key", "", true},
                               {"--output", "-o", true},
                               kIndexUrlFlag,
                               kProgressFlag,
                               kQuietFlag,
                               kRegistryFlag,
                               kRegistryCaFlag,
                               kPlainHttpFlag,
                               kRegistryUserFlag,
                               kPasswordStdinFlag},
                              1, "verify takes one ORG/APP[:vN] or docker://HOST/ORG/APP:vN",
                              kVerifyUsage, io);
  if (const int* exit = std::get_if<int>(&parsed)) return *exit;
  const Args& args = std::get<Args>(parsed);
  auto format = parse_output_format(args.value_or("--output", "text"));
  if (!format.ok()) return usage_error(io, format.status().message(), kVerifyUsage);
  auto wheel_sources = deps_check_options(args, repeated);
  if (!wheel_sources.ok()) return usage_error(io, wheel_sources.status().message(), kVerifyUsage);
  const std::string& text = args.positional()[0];
  const bool registry_reference = text.starts_with("docker://");
  std::optional<VersionRef> ref;
  if (!registry_reference) {
    auto parsed_ref = parse_version_ref(text);
    if (!parsed_ref.ok()) return usage_error(io, parsed_ref.status().message(), kVerifyUsage);
    ref = std::move(parsed_ref).value();
  } else if (args.has("--store")) {
    return usage_error(io, "a docker:// reference is verified without a store: no --store",
                       kVerifyUsage);
  }
  auto target = registry_target_from(args, std::cin);
  if (!target.ok()) return usage_error(io, target.status().message(), kVerifyUsage);

  verify::VerifyOptions options;
  if (auto source = args.value("--source")) {
    auto tree = read_source_path(*source, IntakeOptions{});
    if (!tree.ok()) return cannot_verify(io, tree.status().with_context("--source " + *source));
    options.source_code_hash = code_hash(*tree);
  }
  std::optional<attest::VerifyingKey> key;
  if (auto path = args.value("--key")) {
    auto loaded = attest::VerifyingKey::load_pem_file(*path);
    if (!loaded.ok()) return cannot_verify(io, loaded.status().with_context("--key"));
    key = std::move(*loaded);
  }
  if (registry_reference) {
    return verify_registry_reference(text, *target, options, key, args.has("--rebuild"), *format,
                                     io);
  }

  auto store = pipeline::FunctionStore::open(store_dir(args), pipeline::OpenStore::kExisting);
  if (!store.ok()) return cannot_verify(io, store.status());
  auto version = pipeline::store_version(*store, ref->app, ref->number);
  if (!version.ok()) return cannot_verify(io, version.status());

  // A layer the version keeps only in its registry is read from there, into a scratch layout
  // under the store's tmp/ (never the store's own layout), made when first needed.
  pipeline::NullProgress progress;
  std::optional<RegistryFetcher> fetcher;
  if (!version->registries.empty()) {
    const std::string& host = version->registries.front();
    auto source = registry::ImageSource::parse("docker://" + host + "/" + ref->app.to_string() +
                                               "@" + version->manifest_digest);
    if (source.ok()) {
      fetcher.emplace(std::move(source).value(),
                      pipeline::client_options_for(host, *target, progress), store->tmp_dir());
      options.fetch = [&fetcher](const oci::Descriptor& d) { return fetcher->fetch(d); };
      options.fetched_from = "registry " + host;
    }
  }
  verify::VerifyReport report =
      verify::verify_version(store->layout(), ref->app, *version, options);
  ProgressChoice choice(args, io.err);
  report.checks.push_back(
      verify::check_dependencies(*store, *version, *wheel_sources, choice.progress()));
  add_store_attestation_checks(store->layout(), ref->app, *version, key, report);
  if (args.has("--rebuild")) {
    report.checks.push_back(rebuild_check(args.value("--source"), *store, ref->app, *version,
                                          *wheel_sources, choice.progress(), io.err));
  }
  return print_report(report, ref->app.ref_name(version->number), version->number,
                      version->manifest_digest, *format, io);
}

}  // namespace ignite::cli
