// RECORD: the CSV reader and writer, the hash form, and the check against a wheel's members.
#include <gtest/gtest.h>

#include "builder/util/sha256.h"
#include "builder/wheel/record.h"
#include "builder/wheel/record_check.h"

namespace ignite::wheel {
namespace {

std::vector<std::vector<std::string>> fields(std::string_view text) {
  auto rows = parse_record_csv(text);
  EXPECT_TRUE(rows.ok()) << rows.status().to_string();
  std::vector<std::vector<std::string>> out;
  if (rows.ok()) {
    for (const RecordRow& r : *rows) out.push_back(r.fields);
  }
  return out;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(WheelRecordTest, HashIsUrlsafeBase64WithoutPadding) {
  Sha256 empty;
  EXPECT_EQ(record_hash(empty.finish()), "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
  Sha256 abc;
  abc.update("abc");
  // ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0= in standard base64.
  EXPECT_EQ(record_hash(abc.finish()), "sha256=ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
}

TEST(WheelRecordTest, ReadsCsvAsPythonDoes) {
  EXPECT_EQ(fields("a.py,sha256=x,1\nb.py,,\n"),
            (Rows{{"a.py", "sha256=x", "1"}, {"b.py", "", ""}}));
  EXPECT_EQ(fields("\"a,b.py\",h,2\r\n\r\n\"q\"\"uote\",,\r"),
            (Rows{{"a,b.py", "h", "2"}, {"q\"uote", "", ""}}));
  // Text after a closing quote joins the field; a quote inside an unquoted field is literal.
  EXPECT_EQ(fields("\"ab\"c,x\"y,3"), (Rows{{"abc", "x\"y", "3"}}));
  EXPECT_EQ(fields("no-newline-at-end,h,1"), (Rows{{"no-newline-at-end", "h", "1"}}));
  EXPECT_EQ(fields(""), Rows{});
}

TEST(WheelRecordTest, KeepsLineNumbers) {
  auto rows = parse_record_csv("\na,,\n\n\"multi\nline\",,\nb,,\n");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].line, 2u);
  EXPECT_EQ((*rows)[1].line, 4u);
  EXPECT_EQ((*rows)[1].fields[0], "multi\nline");
  EXPECT_EQ((*rows)[2].line, 6u);
}

TEST(WheelRecordTest, RefusesAnOpenQuote) {
  auto rows = parse_record_csv("a,,\n\"b,,\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(rows.status().message(), "line 2: a quoted field is not closed");
}

TEST(WheelRecordTest, WritesSortedAndQuotedAsCsvWriter) {
  EXPECT_EQ(write_record({{"b/x.py", "sha256=B", "2"},
                          {"a,comma", "sha256=A", "1"},
                          {"a\"quote", "", ""},
                          {"A-upper", "", ""}}),
            "A-upper,,\n\"a\"\"quote\",,\n\"a,comma\",sha256=A,1\nb/x.py,sha256=B,2\n");
}

class WheelRecordCheckTest : public ::testing::Test {
 protected:
  static MemberDigest digest(std::string_view data) {
    Sha256 h;
    h.update(data);
    return {record_hash(h.finish()), data.size()};
  }
  std::map<std::string, MemberDigest> files_ = {
      {"pkg/a.py", digest("a")},
      {"pkg-1.0.dist-info/METADATA", digest("m")},
      {"pkg-1.0.dist-info/RECORD", digest("whatever")},
  };
  std::string good_ = "pkg/a.py," + digest("a").hash + ",1\npkg-1.0.dist-info/METADATA," +
                      digest("m").hash + ",1\npkg-1.0.dist-info/RECORD,,\n";
};

TEST_F(WheelRecordCheckTest, AcceptsAnExactRecord) {
  EXPECT_EQ(record_problems(good_, "pkg-1.0.dist-info", files_), std::vector<std::string>{});
  // RECORD need not list itself; its signatures need not be listed either.
  files_["pkg-1.0.dist-info/RECORD.jws"] = digest("sig");
  files_["pkg-1.0.dist-info/RECORD.p7s"] = digest("sig");
  std::string without_self = good_.substr(0, good_.find("pkg-1.0.dist-info/RECORD"));
  EXPECT_EQ(record_problems(without_self, "pkg-1.0.dist-info", files_), std::vector<std::string>{});
}

TEST_F(WheelRecordCheckTest, NamesEachProblem) {
  files_["pkg/unlisted.py"] = digest("u");
  files_["pkg/nohash.py"] = digest("n");
  files_["pkg/md5.py"] = digest("5");
  files_["pkg/nosize.py"] = digest("s");
  const std::string record = "pkg/a.py," + digest("b").hash + ",2\n" +  // wrong hash and size
                             "pkg/gone.py," + digest("g").hash + ",1\n" + "pkg/nohash.py,,1\n" +
                             "pkg/md5.py,md5=abc,1\n" + "pkg/nosize.py," + digest("s").hash +
                             ",\n" + "pkg-1.0.dist-info/METADATA," + digest("m").hash + ",1\n" +
                             "pkg-1.0.dist-info/METADATA,,\n" + "short-row\n";
  const std::vector<std::string> expected = {
      "\"pkg/a.py\": sha256 differs (RECORD says \"" + digest("b").hash + "\", the wheel holds " +
          digest("a").hash + ")",
      "\"pkg/a.py\": size differs (RECORD says \"2\", the wheel holds 1 bytes)",
      "\"pkg/gone.py\": listed in RECORD but not in the wheel",
      "\"pkg/nohash.py\": no hash in RECORD",
      "\"pkg/md5.py\": RECORD hash \"md5\" is not sha256 (the only algorithm checked here)",
      "\"pkg/nosize.py\": no size in RECORD",
      "\"pkg-1.0.dist-info/METADATA\": listed twice in RECORD",
      "RECORD line 8: 1 fields instead of 3 (path, hash, size)",
      "\"short-row\": listed in RECORD but not in the wheel",
      "\"pkg/unlisted.py\": not listed in RECORD",
  };
  EXPECT_EQ(record_problems(record, "pkg-1.0.dist-info", files_), expected);
}

TEST_F(WheelRecordCheckTest, UnreadableRecordIsAProblemNotACrash) {
  auto p = record_problems("\"open", "pkg-1.0.dist-info", files_);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], "RECORD is not valid CSV: line 1: a quoted field is not closed");
  p = record_problems("pkg/a.py,\xff,1\n", "pkg-1.0.dist-info", files_);
  EXPECT_EQ(p[0], "RECORD is not valid UTF-8 (at byte 9)");
}

}  // namespace
}  // namespace ignite::wheel
