#include "builder/store/app_id.h"

#include <gtest/gtest.h>

namespace ignite::store {
namespace {

TEST(AppIdTest, AcceptsSlashAndColon) {
  for (const char* text : {"acme-corp/greet", "acme-corp:greet"}) {
    auto id = AppId::parse(text);
    ASSERT_TRUE(id.ok()) << id.status().to_string();
    EXPECT_EQ(id->org(), "acme-corp");
    EXPECT_EQ(id->app(), "greet");
    EXPECT_EQ(id->to_string(), "acme-corp/greet");
    EXPECT_EQ(id->ref_name(3), "acme-corp/greet:v3");
  }
  EXPECT_TRUE(AppId::parse("a.b__c/x-y_z9").ok());
}

TEST(AppIdTest, RefusesWithReason) {
  EXPECT_EQ(AppId::parse("greet").status().message(),
            "app id \"greet\" must be ORG/APP or ORG:APP, e.g. acme-corp/greet");
  EXPECT_EQ(AppId::parse("a/b/c").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(AppId::parse("Acme/greet").status().message(),
            "app id \"Acme/greet\": organization name \"Acme\" must start and end with a lowercase "
            "letter or digit (use lowercase letters, digits, and '.', '_' or '-' between them)");
  EXPECT_EQ(AppId::parse("acme/gr eet").status().message(),
            "app id \"acme/gr eet\": app name \"gr eet\" has the character \" \" (use lowercase "
            "letters, digits, and '.', '_' or '-' between them)");
  EXPECT_EQ(AppId::parse("acme/a..b").status().message(),
            "app id \"acme/a..b\": app name \"a..b\" has a misplaced '.' (use lowercase letters, "
            "digits, and '.', '_' or '-' between them)");
  EXPECT_EQ(AppId::parse("acme/").status().message(), "app id \"acme/\": app name is empty");
  EXPECT_FALSE(AppId::parse("acme/a___b").ok());
  EXPECT_FALSE(AppId::parse("acme/" + std::string(64, 'a')).ok());
}

}  // namespace
}  // namespace ignite::store
