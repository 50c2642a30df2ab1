#include "builder/registry/image_reference.h"

#include <gtest/gtest.h>

namespace ignite::registry {
namespace {

const char* kDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(ImageReferenceTest, ParsesRegistryRepositoryTagAndDigest) {
  auto r = ImageReference::parse("docker://127.0.0.1:5000/acme-corp/greet:v1");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->registry, "127.0.0.1:5000");
  EXPECT_EQ(r->repository, "acme-corp/greet");
  EXPECT_EQ(r->tag, "v1");
  EXPECT_EQ(r->reference(), "v1");
  EXPECT_EQ(r->to_string(), "127.0.0.1:5000/acme-corp/greet:v1");

  auto d = ImageReference::parse(std::string("localhost/a/b/c:t@") + kDigest);
  ASSERT_TRUE(d.ok()) << d.status().to_string();
  EXPECT_EQ(d->registry, "localhost");
  EXPECT_EQ(d->repository, "a/b/c");
  EXPECT_EQ(d->reference(), kDigest);
  EXPECT_EQ(d->to_string(), std::string("localhost/a/b/c:t@") + kDigest);

  auto ipv6 = ImageReference::parse("[::1]:5000/x");
  ASSERT_TRUE(ipv6.ok()) << ipv6.status().to_string();
  EXPECT_EQ(ipv6->registry, "[::1]:5000");
  EXPECT_EQ(ipv6->tag, "latest");
}

TEST(ImageReferenceTest, DockerHubNames) {
  auto python = ImageReference::parse("python:3.11-slim");
  ASSERT_TRUE(python.ok());
  EXPECT_EQ(python->registry, "docker.io");
  EXPECT_EQ(python->repository, "library/python");
  EXPECT_EQ(python->tag, "3.11-slim");
  auto user = ImageReference::parse("someone/tool");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->registry, "docker.io");
  EXPECT_EQ(user->repository, "someone/tool");
  EXPECT_EQ(user->tag, "latest");
}

TEST(ImageReferenceTest, RefusesMalformedNames) {
  EXPECT_EQ(ImageReference::parse("127.0.0.1:5000/Acme/greet").status().message(),
            "image reference \"127.0.0.1:5000/Acme/greet\": repository name \"Acme/greet\" is "
            "not lowercase letters and digits separated by '/', '.', '_', '__' or dashes");
  EXPECT_EQ(ImageReference::parse("reg.example:99999/a").status().message(),
            "image reference \"reg.example:99999/a\": registry \"reg.example:99999\" is not "
            "HOST[:PORT] (e.g. registry.example.com, 127.0.0.1:5000)");
  EXPECT_EQ(ImageReference::parse("r.example/a:.bad").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ImageReference::parse("r.example/a@sha256:short").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(ImageReference::parse("r.example/a//b").status().code(), Code::kInvalidArgument);
}

TEST(ImageReferenceTest, RepositoryGrammar) {
  for (const char* ok : {"a", "acme-corp/greet", "a__b/c.d", "a---b", "0/1/2"}) {
    EXPECT_TRUE(validate_repository(ok).ok()) << ok;
  }
  for (const char* bad : {"", "-a", "a-", "a___b", "a..b", "a/", "/a", "A", "a b", "a:b"}) {
    EXPECT_FALSE(validate_repository(bad).ok()) << bad;
  }
  EXPECT_FALSE(validate_repository(std::string(256, 'a')).ok());
}

TEST(ImageReferenceTest, TagGrammar) {
  for (const char* ok : {"v1", "latest", "_x", "3.11-slim", "A.b_c-d"}) {
    EXPECT_TRUE(validate_tag(ok).ok()) << ok;
  }
  for (const char* bad : {"", ".v1", "-v1", "v 1", "v/1", "v:1"}) {
    EXPECT_FALSE(validate_tag(bad).ok()) << bad;
  }
  EXPECT_TRUE(validate_tag(std::string(128, 'a')).ok());
  EXPECT_FALSE(validate_tag(std::string(129, 'a')).ok());
}

TEST(ImageReferenceTest, LoopbackHosts) {
  for (const char* yes :
       {"localhost", "localhost:5000", "127.0.0.1", "127.1.2.3:80", "[::1]:5000"}) {
    EXPECT_TRUE(is_loopback_registry(yes)) << yes;
  }
  for (const char* no : {"127.0.0.1.example.com", "128.0.0.1", "10.0.0.1:5000", "registry", "[::2]",
                         "localhost.example", "127.0.0"}) {
    EXPECT_FALSE(is_loopback_registry(no)) << no;
  }
}

}  // namespace
}  // namespace ignite::registry
