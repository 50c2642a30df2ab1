#include "builder/util/rfc3339.h"

#include <gtest/gtest.h>

namespace ignite {
namespace {

TEST(Rfc3339Test, FormatsAndParsesKnownTimes) {
  const std::pair<std::int64_t, const char*> cases[] = {
      {0, "1970-01-01T00:00:00Z"},          {-1, "1969-12-31T23:59:59Z"},
      {951782400, "2000-02-29T00:00:00Z"},  {1700000000, "2023-11-14T22:13:20Z"},
      {4102444799, "2099-12-31T23:59:59Z"},
  };
  for (const auto& [seconds, text] : cases) {
    EXPECT_EQ(rfc3339_utc(seconds), text);
    EXPECT_EQ(parse_rfc3339_utc(text), seconds) << text;
  }
}

TEST(Rfc3339Test, ParsesOnlyTheWrittenForm) {
  for (const char* bad :
       {"", "2023-11-14", "2023-11-14T22:13:20", "2023-11-14T22:13:20.5Z",
        "2023-11-14T22:13:20+00:00", "2023-11-14t22:13:20Z", "2023-11-14 22:13:20Z",
        "2023-02-29T00:00:00Z", "2023-13-01T00:00:00Z", "2023-00-10T00:00:00Z",
        "2023-11-14T24:00:00Z", "2023-11-14T23:60:00Z", "2023-11-14T23:59:60Z",
        "２023-11-14T22:13:20Z", "+023-11-14T22:13:20Z"}) {
    EXPECT_EQ(parse_rfc3339_utc(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace ignite
