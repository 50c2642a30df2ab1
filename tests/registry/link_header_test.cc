#include "builder/registry/link_header.h"

#include <gtest/gtest.h>

namespace ignite::registry {
namespace {

TEST(LinkHeaderTest, NextPageOfATagList) {
  // As docker-registry 2.8.2 sends it.
  EXPECT_EQ(next_page_link("</v2/acme-corp/greet/tags/list?last=v2&n=2>; rel=\"next\""),
            "/v2/acme-corp/greet/tags/list?last=v2&n=2");
}

TEST(LinkHeaderTest, FindsNextAmongOtherLinksAndParameters) {
  EXPECT_EQ(next_page_link("<https://a/prev>; rel=prev, <https://a/next?x=1>;title=\"a;b\";"
                           " rel=\"last NEXT\""),
            "https://a/next?x=1");
}

TEST(LinkHeaderTest, NoNextOrMalformedEndsTheListing) {
  EXPECT_EQ(next_page_link(""), std::nullopt);
  EXPECT_EQ(next_page_link("</a>; rel=\"prev\""), std::nullopt);
  EXPECT_EQ(next_page_link("/a; rel=next"), std::nullopt);
  EXPECT_EQ(next_page_link("</a; rel=next"), std::nullopt);
  EXPECT_EQ(next_page_link("</a> rel=next"), std::nullopt);
  EXPECT_EQ(next_page_link("<>; rel=next"), std::nullopt);
  EXPECT_EQ(next_page_link("</a>; rel=\"next"), std::nullopt);
}

}  // namespace
}  // namespace ignite::registry
