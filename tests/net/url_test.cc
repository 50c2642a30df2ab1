#include "builder/net/url.h"

#include <gtest/gtest.h>

namespace ignite::net {
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
  EXPECT_EQ(url->origin(), "https://example.com:8443");
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
  EXPECT_EQ(Url::parse("http://[::1/x").status().message(),
            "invalid URL 'http://[::1/x': unclosed '[' in host");
  EXPECT_EQ(Url::parse("http://h:80a/").status().message(),
            "invalid URL 'http://h:80a/': port is not a number");
  // Only an IP literal holds a ':' in its host.
  EXPECT_EQ(Url::parse("http://a:b:80/").status().message(),
            "invalid URL 'http://a:b:80/': port is not a number");
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

// The registry's cases: upload Locations (relative, with a query of their own) and Link pages,
// resolved against the URL that answered.
TEST(UrlTest, ResolvesTextAgainstTheUrlThatAnswered) {
  EXPECT_EQ(*resolve_url("http://127.0.0.1:5000/v2/acme/greet/blobs/uploads/",
                         "/v2/acme/greet/blobs/uploads/6c1f?_state=ab%3D%3D"),
            "http://127.0.0.1:5000/v2/acme/greet/blobs/uploads/6c1f?_state=ab%3D%3D");
  EXPECT_EQ(*resolve_url("https://[::1]:5000/v2/x/tags/list?n=2", "?n=2&last=b"),
            "https://[::1]:5000/v2/x/tags/list?n=2&last=b");
  EXPECT_EQ(*resolve_url("https://r.example/v2/x/tags/list?n=2", "https://s3.example/b?sig=1"),
            "https://s3.example/b?sig=1");
  auto bad = resolve_url("/v2/", "x");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "invalid URL '/v2/': expected scheme://host/...");
}

TEST(UrlTest, AppendsToTheQueryAFormEncodedPair) {
  EXPECT_EQ(*append_query("http://h:5000/v2/x/blobs/uploads/u?_state=s", "digest", "sha256:ab"),
            "http://h:5000/v2/x/blobs/uploads/u?_state=s&digest=sha256%3Aab");
  EXPECT_EQ(*append_query("https://auth.example/token", "scope", "repository:a/b:pull,push"),
            "https://auth.example/token?scope=repository%3Aa%2Fb%3Apull%2Cpush");
  EXPECT_EQ(*append_query("https://auth.example/token?", "service", "my registry"),
            "https://auth.example/token?service=my+registry");
  EXPECT_EQ(append_query("token", "a", "b").status().code(), Code::kInvalidArgument);
}

TEST(UrlTest, OriginIsSchemeAndAuthority) {
  EXPECT_EQ(*url_origin("http://127.0.0.1:5001/token?service=x"), "http://127.0.0.1:5001");
  EXPECT_EQ(*url_origin("https://Auth.Example/token"), "https://auth.example");
  EXPECT_EQ(url_origin("auth.example/token").status().code(), Code::kInvalidArgument);
}

TEST(UrlTest, FilenameIsTheDecodedLastSegment) {
  auto url = Url::parse("https://h/files/a%2Bb-1.0-py3-none-any.whl");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url_filename(*url), "a+b-1.0-py3-none-any.whl");
  EXPECT_EQ(percent_decode("%41%zz%4"), "A%zz%4");
}

}  // namespace
}  // namespace ignite::net
