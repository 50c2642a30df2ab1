// The coreutils script in docs/ and the builder agree on codeHash v1, tree by tree.
#include <gtest/gtest.h>

#include "tests/cli/cli_testing.h"

namespace ignite::testing {
namespace {

std::string script_hash(const std::string& dir) {
  std::string out;
  int rc = run_command("bash " + shell_quote(std::string(IGNITE_SOURCE_DIR) + "/docs/codehash.sh") +
                           " " + shell_quote(dir),
                       &out);
  EXPECT_EQ(rc, 0);
  return out;
}

std::string builder_hash(const std::string& dir) {
  auto r = run_builder("hash " + shell_quote(dir));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(CodeHashScriptTest, AgreesOnVariedTrees) {
  TempDir dir;
  dir.write("handler.py", "import helpers.fmt\ndef handler(p, c):\n    return p\n");
  EXPECT_EQ(builder_hash(dir.path()), script_hash(dir.path()));

  dir.write("helpers/fmt.py", "def f(x):\n    return x\n");             // nested folder
  dir.write("helpers/__init__.py", "");                                  // empty file
  dir.write("bin/start.sh", "#!/bin/sh\nexec python3 handler.py\n", 0755);  // executable
  dir.write("bin/owner-only.sh", "#!/bin/sh\n", 0700);
  dir.write("bin/group-exec.sh", "#!/bin/sh\n", 0654);                   // group x only: "f"
  dir.symlink("fmt.py", "helpers/fmt.py");                               // symlink
  dir.symlink("helpers/up", "..");                                       // symlink to a dir
  dir.write("donn\xC3\xA9" "es/\xE6\x97\xA5\xE6\x9C\xAC.json", "{}\n");     // non-ASCII names
  dir.write("with space/a file.txt", "spaces\n");                        // spaces
  dir.write("B.txt", "upper sorts first in C\n");
  dir.write("a.b", "dot sorts before slash\n");
  dir.write("a/b", "slash\n");
  dir.mkdir("empty-dir");                                                // not listed
  std::string expected = script_hash(dir.path());
  EXPECT_TRUE(expected.starts_with("sha256:")) << expected;
  EXPECT_EQ(builder_hash(dir.path()), expected);

  // And the lines themselves, for --list.
  std::string script_lines;
  run_command("bash " + shell_quote(std::string(IGNITE_SOURCE_DIR) + "/docs/codehash.sh") + " " +
                  shell_quote(dir.path()) + " --list",
              &script_lines);
  EXPECT_EQ(run_builder("hash --list " + shell_quote(dir.path())).out, script_lines);
}

}  // namespace
}  // namespace ignite::testing
