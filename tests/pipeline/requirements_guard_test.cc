// Until dependency layers exist, build refuses a draft whose requirements.txt asks for packages,
// reading it as pip does (symlinks inside the tree followed, comments and BOM understood).
#include <gtest/gtest.h>

#include "tests/pipeline/pipeline_testing.h"

namespace ignite::testing {
namespace {

class RequirementsGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = make_synthetic_base(work_ / "base");
    work_.write("src/handler.py", echo_handler("r"));
  }
  CommandResult build() {
    return run_builder("build " + shell_quote(work_ / "src") + " --app acme-corp/greet --base " +
                       shell_quote(base_) + " --store " + shell_quote(work_ / "store"));
  }
  TempDir work_;
  std::string base_;
};

TEST_F(RequirementsGuardTest, CommentsOnlyBuilds) {
  work_.write("src/requirements.txt", "\xEF\xBB\xBF# nothing yet\n\n   # indented comment\n");
  auto r = build();
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(RequirementsGuardTest, PackagesAreRefusedNamingTheLine) {
  work_.write("src/requirements.txt", "# web\nflask==3.1.3  # pinned\n");
  auto r = build();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("line 2 of requirements.txt asks for \"flask==3.1.3\""), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("[UNIMPLEMENTED]"), std::string::npos) << r.err;
}

TEST_F(RequirementsGuardTest, SymlinkedRequirementsAreReadThroughTheLink) {
  work_.write("src/#reqs", "requests\n");
  work_.symlink("src/requirements.txt", "#reqs");
  auto r = build();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("asks for \"requests\""), std::string::npos) << r.err;
}

TEST_F(RequirementsGuardTest, IncludedFilesCount) {
  work_.write("src/requirements.txt", "-r more/base.txt\n");
  work_.write("src/more/base.txt", "pydantic>=2\n");
  auto r = build();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("asks for \"pydantic>=2\""), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ignite::testing
