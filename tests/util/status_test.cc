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

// A misused Result is a bug: it must stop the process with a message in every build type (these
// run in the default -O2 build, where assert is off), never hand out a value that is not there.
TEST(ResultDeathTest, BuiltFromAnOkStatusAborts) {
  EXPECT_DEATH({ Result<int> r(ok_status()); },
               "ignite: bug: Result<T> built from an OK status.*status: OK");
}

TEST(ResultDeathTest, ValueOfAnErrorAbortsNamingTheError) {
  const Result<std::string> bad = not_found("no such file x");
  EXPECT_DEATH((void)bad.value(),
               "value\\(\\) called on a Result that holds an error.*NOT_FOUND: no such file x");
  Result<std::string> moved = not_found("no such file y");
  EXPECT_DEATH((void)std::move(moved).value(), "NOT_FOUND: no such file y");
  EXPECT_DEATH((void)bad->size(), "NOT_FOUND: no such file x");
  EXPECT_DEATH((void)*bad, "NOT_FOUND: no such file x");
}

TEST(ResultTest, ValueOfAValueDoesNotAbort) {
  Result<std::string> good = std::string("v");
  EXPECT_EQ(good.value(), "v");
  EXPECT_EQ(good->size(), 1u);
  EXPECT_EQ(std::move(good).value(), "v");
}

TEST(DigestTest, ParseAndPrintAreInverse) {
  const std::string text =
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
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
