#include "src/cli/verify_rebuild.h"

#include <optional>

#include "builder/git/git_source.h"
#include "builder/verify/rebuild_check.h"
#include "src/cli/git_build_source.h"

namespace ignite::cli {

verify::Check rebuild_check(const std::optional<std::string>& source,
                            pipeline::FunctionStore& store, const store::AppId& app,
                            const store::VersionRecord& record,
                            const verify::DepsCheckOptions& wheels, pipeline::Progress& progress,
                            std::ostream& err) {
  if (source) {
    return verify::check_rebuild(store, app, record, {*source, "--source " + *source}, wheels,
                                 progress);
  }
  const std::optional<pipeline::GitOrigin> origin = verify::recorded_git_origin(record);
  if (!origin) {
    return verify::rebuild_skipped(
        "no independent source: give --source SOURCE, the draft the version should have been "
        "built from (a version built from git is fetched again from its recorded URL and "
        "commit)");
  }
  // By the commit, not the ref: the ref may have moved since.
  const git::GitSource git{origin->url, origin->commit, origin->subdir};
  std::string described = "git " + origin->url + " at " + origin->commit;
  if (!origin->subdir.empty()) described += " (" + origin->subdir + ")";
  progress.stage("fetch", described);
  auto fetched = fetch_git_build_source(git, store.tmp_dir(), err);
  if (!fetched.ok()) {
    return {std::string(verify::kRebuildCheck), verify::Outcome::kUnverifiable,
            record.manifest_digest, "not rebuilt",
            "fetching the recorded source, " + described + ": " + fetched.status().message() +
                " (give --source SOURCE to rebuild from a copy of your own)"};
  }
  return verify::check_rebuild(store, app, record, {fetched->checkout().tree.string(), described},
                               wheels, progress);
}

}  // namespace ignite::cli
