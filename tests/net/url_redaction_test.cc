#include "builder/net/url_redaction.h"

#include <gtest/gtest.h>

namespace ignite::net {
namespace {

TEST(UrlRedactionTest, RedactsEveryUserinfoInText) {
  EXPECT_EQ(redact_url("fetching https://tok@h/a and http://u:p@h2:1/b failed"),
            "fetching https://****@h/a and http://****@h2:1/b failed");
  EXPECT_EQ(redact_url("no url here"), "no url here");
  EXPECT_EQ(strip_credentials("https://u:p@h/simple/#x"), "https://h/simple/");
  EXPECT_EQ(strip_credentials("not a url, user:pw@h"), "not a url, user:pw@h");
}

TEST(UrlRedactionTest, MessagesNameUrlsWithoutQueryOrUserinfo) {
  EXPECT_EQ(url_for_messages("http://h:5000/v2/x/blobs/uploads/u?_state=secret#f"),
            "http://h:5000/v2/x/blobs/uploads/u");
  EXPECT_EQ(url_for_messages("https://u:pw@h/token?service=r"), "https://****@h/token");
}

TEST(UrlRedactionTest, ScrubsEverySecretHeldAndLeavesShortOnes) {
  EXPECT_EQ(scrub_secrets("login s3cret refused; again s3cret; by http://a:s3cret@h/ (ok)",
                          {"s3cret", "ok"}),
            "login **** refused; again ****; by http://****@h/ (ok)");
  EXPECT_EQ(scrub_secrets("nothing to hide", {}), "nothing to hide");
}

}  // namespace
}  // namespace ignite::net
