#include "builder/index/url.h"

#include <gtest/gtest.h>

namespace ignite::index {
namespace {

TEST(UrlTest, ParsesAndKeepsCredentialsOutOfItsText) {
  auto url = Url::parse("HTTPS://alice:s%40cret@Example.COM:8443/simple/?x=1#frag");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->user, "alice");
  EXPECT_EQ(url->password, "s@cret");
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->port, "8443");
  EXPECT_EQ(url->netloc(), "example.com:8443");
  EXPECT_EQ(url->to_string(), "https://example.com:8443/simple/?x=1");
  EXPECT_EQ(url->to_string_with_fragment(), "https://example.com:8443/simple/?x=1#frag");
}

TEST(UrlTest, RefusesTextThatIsNoAbsoluteUrlWithoutShowingSecrets) {
  auto url = Url::parse("https://user:hunter22@:99/x");
  ASSERT_FALSE(url.ok());
  EXPECT_EQ(url.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(url.status().message(), "invalid URL 'https://****@:99/x': no host");
  EXPECT_EQ(Url::parse("simple/flask").status().message(),
            "invalid URL 'simple/flask': expected scheme://host/...");
}

TEST(UrlTest, ResolvesReferencesAsRfc3986Does) {
  auto base = Url::parse("http://a.example/simple/flask/");
  ASSERT_TRUE(base.ok());
  auto r = [&](std::string_view ref) {
    auto u = resolve_url(*base, ref);
    return u.ok() ? u->to_string_with_fragment() : "error: " + u.status().message();
  };
  EXPECT_EQ(r("../../files/f-1.0-py3-none-any.whl#sha256=ab"),
            "http://a.example/files/f-1.0-py3-none-any.whl#sha256=ab");
  EXPECT_EQ(r("f.whl"), "http://a.example/simple/flask/f.whl");
  EXPECT_EQ(r("/abs/f.whl"), "http://a.example/abs/f.whl");
  EXPECT_EQ(r("//cdn.example/f.whl"), "http://cdn.example/f.whl");
  EXPECT_EQ(r("https://u:p@other.example/f.whl"), "https://other.example/f.whl");
  EXPECT_EQ(r("./x/../y.whl?a=1"), "http://a.example/simple/flask/y.whl?a=1");
  EXPECT_EQ(r("../../../../f.whl"), "http://a.example/f.whl");
}

TEST(UrlTest, FilenameIsTheDecodedLastSegment) {
  auto url = Url::parse("https://h/files/a%2Bb-1.0-py3-none-any.whl");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url_filename(*url), "a+b-1.0-py3-none-any.whl");
}

TEST(UrlTest, RedactsEveryUserinfoInText) {
  EXPECT_EQ(redact_url("fetching https://tok@h/a and http://u:p@h2:1/b failed"),
            "fetching https://****@h/a and http://****@h2:1/b failed");
  EXPECT_EQ(redact_url("no url here"), "no url here");
  EXPECT_EQ(strip_credentials("https://u:p@h/simple/#x"), "https://h/simple/");
}

}  // namespace
}  // namespace ignite::index
