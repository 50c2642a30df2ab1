// Image drafts through the deploy flow (`{"code": {"image": {"reference": ...}}}`), against
// Debian's real docker-registry: the draft build resolves the image, the publish makes it the
// next version with the image's own digest, and a tag moved after the save changes nothing.
#include <gtest/gtest.h>

#include "dodil/ignite/v1/error.pb.h"
#include "tests/registry/registry_servers.h"
#include "tests/service/api_testing.h"
#include "tests/service/compute_testing.h"

namespace ignite::service {
namespace {

namespace v1 = dodil::ignite::v1;
using ignite::testing::run_command;
using ignite::testing::shell_quote;
using registry::testing::RegistryConfig;
using registry::testing::RegistryServer;

class ImageDraftTest : public ServiceFixture {
 protected:
  // The synthetic base pushed as REPO:TAG with skopeo, in `format` ("oci" or "v2s2": two
  // images of one content with different digests). Returns the digest.
  std::string push(const std::string& repo_tag, const std::string& format) {
    std::string out;
    EXPECT_EQ(run_command("skopeo copy -q --format " + format + " --dest-tls-verify=false " +
                              shell_quote("oci:" + base_) + " docker://" + registry_.host() + "/" +
                              repo_tag + " 2>&1",
                          &out),
              0)
        << out;
    out.clear();
    run_command("skopeo inspect --tls-verify=false --format '{{.Digest}}' docker://" +
                    registry_.host() + "/" + repo_tag + " 2>&1",
                &out);
    return out.substr(0, out.find('\n'));
  }
  RegistryServer registry_{RegistryConfig{}};
};

TEST_F(ImageDraftTest, AnImageDraftPublishesTheImageItResolvedAtItsSave) {
  start();
  ASSERT_EQ(post("/v1/ignite/app/acme-corp", R"({"name": "prebuilt"})").status, 200);
  const std::string first = push("team/fn:stable", "oci");
  ASSERT_EQ(first.rfind("sha256:", 0), 0u) << first;

  auto saved = post("/v1/ignite/app/acme-corp/prebuilt/draft",
                    image_json(registry_.host() + "/team/fn:stable"));
  ASSERT_EQ(saved.status, 200) << saved.body;
  const auto draft = parsed<v1::SaveDraftResponse>(saved.body).draft();
  EXPECT_EQ(draft.code_hash(), "");     // an image has no source to hash
  EXPECT_EQ(draft.image_digest(), "");  // a tag: its draft build resolves it
  auto v1_reply = post("/v1/ignite/app/acme-corp/prebuilt/draft/publish", "{}");
  ASSERT_EQ(v1_reply.status, 200) << v1_reply.body;
  const auto published = parsed<v1::PublishDraftResponse>(v1_reply.body);
  EXPECT_EQ(published.published_version(), 1u);
  EXPECT_EQ(published.image_digest(), first);  // unchanged: the image's own digest

  // The tag moves to another image; the draft, saved before, still publishes the first.
  const std::string second = push("team/fn:stable", "v2s2");
  ASSERT_NE(second, first);
  auto v2_reply = post("/v1/ignite/app/acme-corp/prebuilt/draft/publish", "{}");
  ASSERT_EQ(v2_reply.status, 200) << v2_reply.body;
  EXPECT_EQ(parsed<v1::PublishDraftResponse>(v2_reply.body).image_digest(), first);

  // Saved again, the tag is resolved again: the next version is the second image.
  auto resaved = post("/v1/ignite/app/acme-corp/prebuilt/draft",
                      image_json(registry_.host() + "/team/fn:stable"));
  ASSERT_EQ(resaved.status, 200) << resaved.body;
  EXPECT_NE(parsed<v1::SaveDraftResponse>(resaved.body).draft().build_id(), draft.build_id());
  auto v3_reply = post("/v1/ignite/app/acme-corp/prebuilt/draft/publish", "{}");
  ASSERT_EQ(v3_reply.status, 200) << v3_reply.body;
  EXPECT_EQ(parsed<v1::PublishDraftResponse>(v3_reply.body).published_version(), 3u);
  EXPECT_EQ(parsed<v1::PublishDraftResponse>(v3_reply.body).image_digest(), second);

  // By digest: the draft's imageDigest is known at once.
  auto by_digest = post("/v1/ignite/app/acme-corp/prebuilt/draft",
                        image_json(registry_.host() + "/team/fn@" + first));
  ASSERT_EQ(by_digest.status, 200) << by_digest.body;
  EXPECT_EQ(parsed<v1::SaveDraftResponse>(by_digest.body).draft().image_digest(), first);
}

TEST_F(ImageDraftTest, BadImageReferencesAreRefusedAndAMissingImageFailsThePublish) {
  start();
  ASSERT_EQ(post("/v1/ignite/app/acme-corp", R"({"name": "prebuilt"})").status, 200);
  struct Case {
    std::string reference, message;
  };
  for (const Case& c :
       {Case{"", "code.image.reference is empty"}, Case{base_, "names an OCI layout on the server"},
        Case{"HOST/UPPER:tag", "code.image.reference"}}) {
    SCOPED_TRACE(c.reference);
    auto r = post("/v1/ignite/app/acme-corp/prebuilt/draft", image_json(c.reference));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_NE(parsed<v1::ErrorStatus>(r.body).message().find(c.message), std::string::npos)
        << r.body;
  }
  auto none = post("/v1/ignite/app/acme-corp/prebuilt/draft/publish", "{}");
  EXPECT_NE(none.body.find("no draft saved"), std::string::npos) << none.body;

  // A well-formed reference to nothing: the draft build fails, and so does the publish.
  auto saved = post("/v1/ignite/app/acme-corp/prebuilt/draft",
                    image_json(registry_.host() + "/team/missing:1"));
  ASSERT_EQ(saved.status, 200) << saved.body;
  auto failed = post("/v1/ignite/app/acme-corp/prebuilt/draft/publish", "{}");
  EXPECT_EQ(failed.status, 400) << failed.body;
  const auto error = parsed<v1::ErrorStatus>(failed.body);
  EXPECT_EQ(error.status(), "FAILED_PRECONDITION");
  EXPECT_NE(error.message().find("the draft's build"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("team/missing"), std::string::npos) << error.message();
}

}  // namespace
}  // namespace ignite::service
