#include "builder/net/http_message.h"

#include <gtest/gtest.h>

namespace ignite::net {
namespace {

TEST(HttpMessageTest, HeadersAreFoundByTheirLowercaseName) {
  HttpResponse response;
  response.headers = {{"location", "/v2/x/blobs/uploads/u"}, {"link", "<a>"}, {"link", "<b>"}};
  EXPECT_EQ(response.header("location"), "/v2/x/blobs/uploads/u");
  EXPECT_EQ(response.header("link"), "<a>");  // the first
  EXPECT_EQ(response.header("range"), std::nullopt);
}

TEST(HttpMessageTest, ContentTypeIsTheMediaTypeAlone) {
  HttpResponse response;
  EXPECT_EQ(response.content_type(), "");
  response.headers = {{"content-type", "Text/HTML ; charset=UTF-8"}};
  EXPECT_EQ(response.content_type(), "text/html");
  response.headers = {{"content-type", "application/vnd.pypi.simple.v1+json"}};
  EXPECT_EQ(response.content_type(), "application/vnd.pypi.simple.v1+json");
}

}  // namespace
}  // namespace ignite::net
