#include "builder/index/simple_page.h"

#include <gtest/gtest.h>

namespace ignite::index {
namespace {

Url page() { return *Url::parse("https://idx.example/simple/demo/"); }

TEST(SimplePageTest, ReadsPep691Json) {
  const std::string body = R"({
    "meta": {"api-version": "1.1"}, "name": "demo",
    "files": [
      {"filename": "demo-1.0-py3-none-any.whl", "url": "../../files/demo-1.0-py3-none-any.whl",
       "hashes": {"sha256": "AB12"}, "requires-python": ">=3.9",
       "core-metadata": {"sha256": "cd34"}, "yanked": false},
      {"filename": "demo-0.9-py3-none-any.whl", "url": "https://cdn.example/demo-0.9-py3-none-any.whl",
       "hashes": {}, "yanked": "broken build", "dist-info-metadata": true},
      {"filename": "demo-0.8.tar.gz", "url": "demo-0.8.tar.gz", "hashes": {"sha256": "ef"}},
      {"url": 7}
    ]})";
  auto files = parse_simple_page(body, kSimpleJsonType, page());
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_EQ(files->size(), 3u);
  const IndexFile& a = (*files)[0];
  EXPECT_EQ(a.filename, "demo-1.0-py3-none-any.whl");
  EXPECT_EQ(a.url.to_string(), "https://idx.example/files/demo-1.0-py3-none-any.whl");
  EXPECT_EQ(a.hashes.at("sha256"), "ab12");
  EXPECT_EQ(a.requires_python, ">=3.9");
  EXPECT_FALSE(a.yanked);
  EXPECT_TRUE(a.has_metadata);
  EXPECT_EQ(a.metadata_hashes.at("sha256"), "cd34");
  const IndexFile& b = (*files)[1];
  EXPECT_TRUE(b.yanked);
  EXPECT_EQ(b.yanked_reason, "broken build");
  EXPECT_TRUE(b.has_metadata);
  EXPECT_TRUE(b.metadata_hashes.empty());
  EXPECT_EQ((*files)[2].url.to_string(), "https://idx.example/simple/demo/demo-0.8.tar.gz");
}

TEST(SimplePageTest, RefusesJsonThatIsNotAPage) {
  auto files = parse_simple_json("[1,2]", page());
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), Code::kDataLoss);
  EXPECT_EQ(files.status().message(),
            "reading index page https://idx.example/simple/demo/: not a JSON object");
  auto v2 = parse_simple_json(R"({"meta": {"api-version": "2.0"}, "files": []})", page());
  EXPECT_EQ(v2.status().code(), Code::kFailedPrecondition);
  auto other = parse_simple_page("x", "application/pdf", page());
  EXPECT_EQ(other.status().code(), Code::kFailedPrecondition);
}

TEST(SimplePageTest, ReadsPep503Html) {
  const std::string body = R"(<!DOCTYPE html><html><body>
    <!-- <a href="commented-1.0-py3-none-any.whl">no</a> -->
    <A HREF="../../files/demo-1.0-py3-none-any.whl#sha256=00FF" data-requires-python="&gt;=3.9,&lt;4"
       data-core-metadata="sha256=aa">demo-1.0-py3-none-any.whl</A><br/>
    <a href='demo-0.9-py3-none-any.whl' data-yanked="">demo-0.9</a>
    <a href=demo-0.8-py3-none-any.whl data-yanked="bad &amp; old" data-dist-info-metadata="true">x</a>
    <a name="anchor-without-href">x</a>
  </body></html>)";
  auto files = parse_simple_page(body, "text/html", page());
  ASSERT_TRUE(files.ok()) << files.status().message();
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0].url.to_string(), "https://idx.example/files/demo-1.0-py3-none-any.whl");
  EXPECT_EQ((*files)[0].hashes.at("sha256"), "00ff");
  EXPECT_EQ((*files)[0].requires_python, ">=3.9,<4");
  EXPECT_TRUE((*files)[0].has_metadata);
  EXPECT_EQ((*files)[0].metadata_hashes.at("sha256"), "aa");
  EXPECT_FALSE((*files)[0].yanked);
  EXPECT_TRUE((*files)[1].yanked);
  EXPECT_EQ((*files)[1].yanked_reason, "");
  EXPECT_FALSE((*files)[1].has_metadata);
  EXPECT_EQ((*files)[2].yanked_reason, "bad & old");
  EXPECT_TRUE((*files)[2].has_metadata);
}

TEST(SimplePageTest, HtmlBaseHrefChangesWhereLinksPoint) {
  auto files = parse_simple_html(
      R"(<base href="https://mirror.example/pkgs/"><a href="d-1-py3-none-any.whl">d</a>)", page());
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].url.to_string(), "https://mirror.example/pkgs/d-1-py3-none-any.whl");
}

TEST(SimplePageTest, UnescapesHtmlEntities) {
  EXPECT_EQ(html_unescape("&lt;&#62;&#x3D;&amp;&quot;&unknown;&"), "<>=&\"&unknown;&");
  EXPECT_EQ(html_unescape("&#233;"), "\xc3\xa9");
}

}  // namespace
}  // namespace ignite::index
