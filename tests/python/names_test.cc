// Project names and distribution file names beyond the shared vectors.
#include "builder/python/names.h"

#include <gtest/gtest.h>

#include "builder/python/dist_filename.h"

namespace ignite::python {
namespace {

TEST(NamesTest, Canonicalize) {
  EXPECT_EQ(canonicalize_name("Django"), "django");
  EXPECT_EQ(canonicalize_name("oslo.concurrency"), "oslo-concurrency");
  EXPECT_EQ(canonicalize_name("a-_.-b"), "a-b");
  EXPECT_EQ(canonicalize_name("Foo_B\xc3\x81R"), "foo-b\xc3\xa1r");  // BÁR -> bár
  EXPECT_EQ(canonicalize_name("\xd0\x9f\xd0\xa0\xd0\x98"), "\xd0\xbf\xd1\x80\xd0\xb8");  // ПРИ
}

TEST(NamesTest, ValidationErrors) {
  EXPECT_TRUE(validate_project_name("a").ok());
  EXPECT_TRUE(validate_project_name("A.b_c-9").ok());
  EXPECT_EQ(validate_project_name("").message(), "invalid project name '': it is empty");
  EXPECT_EQ(validate_project_name("-a").message(),
            "invalid project name '-a': it must start and end with a letter or digit");
  EXPECT_EQ(validate_project_name("a b").code(), Code::kInvalidArgument);
  EXPECT_EQ(validate_project_name("a b").message(),
            "invalid project name 'a b': only ASCII letters, digits, '.', '_' and '-' are "
            "allowed, not ' '");
  EXPECT_EQ(canonicalize_valid_name("Foo.Bar").value(), "foo-bar");
}

TEST(NamesTest, IsNormalized) {
  EXPECT_TRUE(is_normalized_name("foo-bar"));
  EXPECT_TRUE(is_normalized_name("0"));
  EXPECT_FALSE(is_normalized_name(""));
  EXPECT_FALSE(is_normalized_name("-a"));
  EXPECT_FALSE(is_normalized_name("a-"));
  EXPECT_FALSE(is_normalized_name("a_b"));
  EXPECT_FALSE(is_normalized_name("a--b"));
}

TEST(DistFilenameTest, WheelParts) {
  Result<WheelFilename> w =
      WheelFilename::parse("Foo.Bar-1.0.POST1-007x-cp311-abi3-manylinux_2_17_x86_64.whl");
  ASSERT_TRUE(w.ok()) << w.status().to_string();
  EXPECT_EQ(w->name, "foo-bar");
  EXPECT_EQ(w->version.to_string(), "1.0.post1");
  ASSERT_TRUE(w->build);
  EXPECT_EQ(w->build->number, "7");
  EXPECT_EQ(w->build->suffix, "x");
  ASSERT_EQ(w->tags.size(), 1u);
  EXPECT_EQ(w->tags[0].to_string(), "cp311-abi3-manylinux_2_17_x86_64");
  EXPECT_LT((BuildTag{"9", "z"}), (BuildTag{"10", ""}));
  EXPECT_LT((BuildTag{"1", "a"}), (BuildTag{"1", "b"}));
}

TEST(DistFilenameTest, WheelErrors) {
  auto error = [](std::string_view f) { return WheelFilename::parse(f).status().message(); };
  EXPECT_EQ(error("foo-1.0.tar.gz"),
            "invalid wheel filename 'foo-1.0.tar.gz': the extension must be '.whl'");
  EXPECT_EQ(error("foo-1.0.whl"),
            "invalid wheel filename 'foo-1.0.whl': expected 5 or 6 '-'-separated parts, "
            "name-version[-build]-python-abi-platform");
  EXPECT_EQ(error("foo__bar-1.0-py3-none-any.whl"),
            "invalid wheel filename 'foo__bar-1.0-py3-none-any.whl': the project name holds "
            "'__'");
  EXPECT_EQ(error("foo-1.x-py3-none-any.whl"),
            "invalid wheel filename 'foo-1.x-py3-none-any.whl': invalid version '1.x': "
            "unexpected '.x' after '1'");
  EXPECT_EQ(error("foo-1.0-x1-py3-none-any.whl"),
            "invalid wheel filename 'foo-1.0-x1-py3-none-any.whl': the build tag 'x1' must "
            "start with a digit");
  EXPECT_EQ(error("foo-1.0-py3-none-.whl"),
            "invalid wheel filename 'foo-1.0-py3-none-.whl': invalid tag 'py3-none-': empty "
            "component ''");
}

TEST(DistFilenameTest, Sdist) {
  Result<SdistFilename> s = SdistFilename::parse("Zope.Interface-5.4.0.tar.gz");
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->name, "zope-interface");
  EXPECT_EQ(s->version.to_string(), "5.4.0");
  EXPECT_EQ(SdistFilename::parse("foo-bar-2.zip")->name, "foo-bar");
  EXPECT_EQ(SdistFilename::parse("foo.tar.bz2").status().message(),
            "invalid sdist filename 'foo.tar.bz2': the extension must be '.tar.gz' or '.zip'");
  EXPECT_EQ(SdistFilename::parse("foo1.0.zip").status().message(),
            "invalid sdist filename 'foo1.0.zip': expected name-version, found no '-'");
}

}  // namespace
}  // namespace ignite::python
