// The service's JSON in tests: request bodies made by the proto3 JSON mapping itself (bytes as
// base64, lowerCamelCase), and answers read back into their messages.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "dodil/ignite/builder/v1/build.pb.h"
#include "dodil/ignite/v1/compute.pb.h"
#include "dodil/ignite/v1/error.pb.h"
#include "src/api/json_mapping.h"

namespace ignite::service {

// `json` read as a Message; a failure (naming the JSON) fails the test.
template <typename Message>
Message parsed(const std::string& json) {
  Message m;
  Status s = api::parse_json(json, m);
  EXPECT_TRUE(s.ok()) << s.to_string() << " in " << json;
  return m;
}

// SaveDraft's body for a compile draft of `source` (a file's or an archive's bytes).
inline std::string draft_json(const std::string& source) {
  dodil::ignite::v1::SaveDraftRequest req;
  req.mutable_code()->mutable_compile()->mutable_runtime()->mutable_python();
  req.mutable_code()->mutable_compile()->set_source_code(source);
  return api::to_json(req);
}

// SaveDraft's body for an image draft.
inline std::string image_json(const std::string& reference) {
  dodil::ignite::v1::SaveDraftRequest req;
  req.mutable_code()->mutable_image()->set_reference(reference);
  return api::to_json(req);
}

// SubmitBuild's body.
inline std::string submit_json(const std::string& app, const std::string& source) {
  dodil::ignite::builder::v1::SubmitBuildRequest req;
  req.set_app_id(app);
  req.set_source_code(source);
  return api::to_json(req);
}

}  // namespace ignite::service
