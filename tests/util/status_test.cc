#include "builder/util/status.h"

#include <gtest/gtest.h>

#include "builder/util/digest.h"

namespace ignite {
namespace {

Result<int> parse_small(int v) {
  if (v > 10) return invalid_argument("value " + std::to_string(v) + " is larger than 10");
  return v;
}

Result<int> doubled(int v) {
  IGNITE_ASSIGN_OR_RETURN(int x, parse_small(v));
  return 2 * x;
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.to_string(), "OK");
}

TEST(StatusTest, ContextIsPrepended) {
  Status s = not_found("no such file").with_context("reading x");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "reading x: no such file");
  EXPECT_EQ(s.to_string(), "NOT_FOUND: reading x: no such file");
  EXPECT_TRUE(Status().with_context("ignored").ok());
}

TEST(StatusTest, CodesMatchGrpcNumbers) {
  EXPECT_EQ(static_cast<int>(Code::kInvalidArgument), 3);
  EXPECT_EQ(static_cast<int>(Code::kFailedPrecondition), 9);
  EXPECT_EQ(static_cast<int>(Code::kUnavailable), 14);
  EXPECT_EQ(code_name(Code::kResourceExhausted), "RESOURCE_EXHAUSTED");
}

TEST(StatusTest, ErrnoStatusPicksCode) {
  EXPECT_EQ(errno_status("opening a", ENOENT).code(), Code::kNotFound);
  EXPECT_EQ(errno_status("writing a", ENOSPC).code(), Code::kResourceExhausted);
  EXPECT_EQ(errno_status("opening a", EACCES).message(), "opening a: Permission denied");
}

TEST(ResultTest, AssignOrReturnPropagates) {
  auto ok = doubled(4);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 8);
  auto bad = doubled(11);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "value 11 is larger than 10");
}

TEST(DigestTest, ParseAndPrintAreInverse) {
  const std::string text = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  auto d = Digest::parse(text);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->to_string(), text);
  EXPECT_EQ(*d, Digest::of(""));
}

TEST(DigestTest, RejectsOtherForms) {
  EXPECT_EQ(Digest::parse("sha512:abc").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Digest::parse("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")
                .status()
                .code(),
            Code::kInvalidArgument);
  EXPECT_FALSE(Digest::parse("sha256:abc").ok());
}

}  // namespace
}  // namespace ignite
