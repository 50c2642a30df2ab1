#include "builder/pipeline/version_commit.h"

#include "builder/util/fault.h"

namespace ignite::pipeline {
namespace {

Status check_no_later_refs(FunctionStore& store, const store::AppId& app, std::int64_t number) {
  IGNITE_ASSIGN_OR_RETURN(auto refs, store.layout().list_refs());
  for (const auto& r : refs) {
    auto v = store::parse_version_ref(r.name);
    if (v && v->app == app && v->number > number) {
      return data_loss("the image layout holds " + r.name + " but the database's next version of " +
                       app.to_string() + " is " + std::to_string(number) +
                       ": the database is older than the layout; restore it (`store check` lists "
                       "what differs)");
    }
  }
  return ok_status();
}

}  // namespace

Result<store::VersionRecord> commit_version_with_ref(FunctionStore& store, const store::AppId& app,
                                                     store::VersionRecord record,
                                                     const oci::Descriptor& manifest,
                                                     RegistryPublication* publication) {
  if (publication != nullptr) record.registries = {publication->host()};
  auto committed = store.versions().commit_version(app, record, [&](std::int64_t number) -> Status {
    // The store's write lock is held: no committed version has this number, so a ref of that
    // name can only be left over from a build that died here; it is replaced. Unless a higher
    // version's ref exists too: then the database is older than the layout (restored from a
    // backup?), and replacing would move a published version.
    IGNITE_RETURN_IF_ERROR(check_no_later_refs(store, app, number));
    IGNITE_RETURN_IF_ERROR(
        store.layout().set_ref(app.ref_name(number), manifest, oci::ExistingRef::kReplace));
    if (publication != nullptr) {
      IGNITE_RETURN_IF_ERROR(publication->tag(store.layout(), manifest, number));
    }
    fault_point("ref");
    return ok_status();
  });
  if (!committed.ok()) return committed.status();
  fault_point("commit");
  return committed;
}

}  // namespace ignite::pipeline
