// Verifying a recorded version against what the store holds (docs/verify.md): one Check per
// claim, each with its evidence, so an auditor sees what was compared, not just a verdict.
//
//   auto report = verify::verify_version(layout, app, record, {});
//   for (const auto& c : report.checks) print(c.check, c.result, c.expected, c.actual);
//   return report.exit_code();  // 0 pass, 1 fail, 2 unverifiable
//
// Nothing here writes: the layout and the record are only read.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/oci/oci_layout.h"
#include "builder/store/app_id.h"
#include "builder/store/version_store.h"
#include "builder/util/digest.h"

namespace ignite::verify {

enum class Outcome {
  kPass,
  kFail,
  kSkip,          // does not apply to this version (no codeHash: an image draft)
  kUnverifiable,  // applies, but its evidence is not here (a layer kept only in a registry)
};

std::string_view outcome_name(Outcome outcome);  // "PASS", "FAIL", "SKIP", "UNVERIFIABLE"

struct Check {
  std::string check;  // "record", "blob sha256:…", "diff_id 2", "labels", "codeHash", "source"
  Outcome result;
  std::string expected;  // what the record, the descriptor or the config says
  std::string actual;    // what the bytes hold
  std::string detail;    // which blob, what differs, why skipped ("" when nothing to add)
};

struct VerifyOptions {
  // The codeHash of the source the version should have been built from (--source): the app
  // layer's must equal it.
  std::optional<Digest> source_code_hash;
  // Reads a blob the layout lacks from elsewhere (a registry) into a scratch layout and returns
  // that layout; unset: nothing is fetched. verify_version asks it only for a layer the version
  // keeps in its registry; verify_unrecorded_image for every blob. Its error is the check's
  // reason: DATA_LOSS (other bytes than the digest) is a FAIL; NOT_FOUND is UNVERIFIABLE for a
  // registry-kept layer and a FAIL for an unrecorded image; anything else (the registry cannot
  // be reached) is UNVERIFIABLE.
  std::function<Result<const oci::OciLayout*>(const oci::Descriptor&)> fetch;
  // Where fetch reads from, for the detail of a check it made ("registry 127.0.0.1:5000").
  std::string fetched_from;
};

struct VerifyReport {
  std::vector<Check> checks;
  // 1 when a check failed; else 2 when one was unverifiable or none passed; else 0.
  int exit_code() const;
  // Why exit_code() is 2 ("" otherwise).
  std::string unverifiable_reason() const;
};

// Checks version `record` of `app` against `layout`: the layout's ref names the record's
// manifest; every blob has its digest and size; every layer decompresses to its diff_id; the
// config's identity labels are the record's; the app layer's tree hashes to the recorded
// codeHash (and to options.source_code_hash). A layer the version may keep only in its registry
// (docs/store.md) and that the layout lacks is kUnverifiable; any other missing blob is kFail.
// Never fails itself: what cannot be read is a check's result, with the reason in its detail.
VerifyReport verify_version(const oci::OciLayout& layout, const store::AppId& app,
                            const store::VersionRecord& record, const VerifyOptions& options);

// The same checks for an image with no version record (a registry reference, `verify
// docker://HOST/ORG/APP:vN`): `manifest` in `layout` (or fetched), `app` from the repository
// path. The record check is SKIP; the labels are checked against themselves and the app
// (dev.ignite.org, dev.ignite.app, a dev.ignite.code-hash that is a digest), and the app
// layer's codeHash against the dev.ignite.code-hash label. Without that label (an image
// published with publish-image) labels, codeHash and source are SKIP.
VerifyReport verify_unrecorded_image(const oci::OciLayout& layout, const oci::Descriptor& manifest,
                                     const store::AppId& app, const VerifyOptions& options);

}  // namespace ignite::verify
