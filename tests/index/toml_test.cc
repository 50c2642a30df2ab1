#include "builder/index/toml.h"

#include <gtest/gtest.h>

namespace ignite::index::toml {
namespace {

TEST(TomlTest, ReadsTablesArraysAndEveryStringForm) {
  const std::string text = R"(# a comment
title = "basic \"q\" \u00e9\tend"
lit = 'C:\path'
ml = """
line one \
   still one
"""
mll = '''
raw \n'''
n = 1_000
hex = 0xff
neg = -7
f = 6.5e-1
yes = true
when = 1979-05-27T07:32:00Z
arr = [1, 2,
  3, # trailing comma and comments
]
inline = { a = 1, b.c = "x" }
"quoted key" = 1
dotted.key = 2

[[packages]]
name = "a"
[packages.tool.ignite]
why = ["x"]

[[packages]]
name = "b"
[[packages.wheels]]
name = "b-1-py3-none-any.whl"
[packages.wheels.hashes]
sha256 = "00"
)";
  auto doc = parse(text);
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_EQ(*doc->find("title")->string(), "basic \"q\" \xc3\xa9\tend");
  EXPECT_EQ(*doc->find("lit")->string(), "C:\\path");
  EXPECT_EQ(*doc->find("ml")->string(), "line one still one\n");
  EXPECT_EQ(*doc->find("mll")->string(), "raw \\n");
  EXPECT_EQ(*doc->find("n")->integer(), 1000);
  EXPECT_EQ(*doc->find("hex")->integer(), 255);
  EXPECT_EQ(*doc->find("neg")->integer(), -7);
  EXPECT_EQ(doc->find("f")->kind(), Value::Kind::kFloat);
  EXPECT_TRUE(*doc->find("yes")->boolean());
  EXPECT_EQ(doc->find("when")->kind(), Value::Kind::kDatetime);
  EXPECT_EQ(doc->find("arr")->array()->size(), 3u);
  EXPECT_EQ(*doc->find("inline")->table()->find("b")->table()->find("c")->string(), "x");
  EXPECT_EQ(*doc->find("quoted key")->integer(), 1);
  EXPECT_EQ(*doc->find("dotted")->table()->find("key")->integer(), 2);
  const Array& packages = *doc->find("packages")->array();
  ASSERT_EQ(packages.size(), 2u);
  EXPECT_EQ(*packages[0]
                 .table()
                 ->find("tool")
                 ->table()
                 ->find("ignite")
                 ->table()
                 ->find("why")
                 ->array()
                 ->at(0)
                 .string(),
            "x");
  const Table& wheel = *packages[1].table()->find("wheels")->array()->at(0).table();
  EXPECT_EQ(*wheel.find("hashes")->table()->find("sha256")->string(), "00");
}

TEST(TomlTest, RefusesWhatTomlRefuses) {
  auto err = [](std::string_view text) {
    auto doc = parse(text);
    return doc.ok() ? std::string("ok") : doc.status().message();
  };
  EXPECT_EQ(err("a = 1\na = 2\n"), "line 2, column 5: key 'a' is defined twice");
  EXPECT_EQ(err("[t]\n[t]\n"), "line 2, column 4: table 't' is defined twice");
  EXPECT_EQ(err("a = \"open\n"), "line 1, column 10: control character in a string");
  EXPECT_EQ(err("a = 01\n"), "line 1, column 7: invalid number '01': leading zero");
  EXPECT_EQ(err("a = 1 b = 2\n"), "line 1, column 7: expected the end of the line");
  EXPECT_EQ(err("a = [1,\n"), "line 2, column 1: expected a value");
  EXPECT_EQ(err("a = { b = 1 }\n[a]\n"), "line 2, column 4: table 'a' is defined twice");
  EXPECT_EQ(err("a = 99999999999999999999\n"),
            "line 1, column 25: integer '99999999999999999999' does not fit in 64 bits");
  EXPECT_EQ(err("a = \"\\q\"\n"), "line 1, column 7: unknown escape sequence");
}

TEST(TomlTest, QuotesSoThatTheReaderGetsTheSameText) {
  const std::string nasty = "a\"b\\c\nd\te\x01 \xc3\xa9";
  EXPECT_EQ(quote(nasty), "\"a\\\"b\\\\c\\nd\\te\\u0001 \xc3\xa9\"");
  auto doc = parse("k = " + quote(nasty) + "\n");
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_EQ(*doc->find("k")->string(), nasty);
}

}  // namespace
}  // namespace ignite::index::toml
