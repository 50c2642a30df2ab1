// The "#!python" rewrite, whatever the chunk boundaries.
#include <gtest/gtest.h>

#include "builder/wheel/shebang.h"

namespace ignite::wheel {
namespace {

// Feeds `in` in chunks of `size` bytes.
std::string rewrite(std::string_view in, std::size_t size) {
  ShebangRewriter r("/usr/bin/python3");
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += size) r.feed(in.substr(i, size), out);
  r.finish(out);
  return out;
}

TEST(WheelShebangTest, RewritesPythonShebangsWhateverTheChunks) {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"#!python\nprint(1)\n", "#!/usr/bin/python3\nprint(1)\n"},
      {"#!pythonw\nimport gui\n", "#!/usr/bin/python3\nimport gui\n"},
      {"#!python -E -s\r\nx\r\n", "#!/usr/bin/python3\nx\r\n"},  // arguments dropped, as pip
      {"#!python3.11\nx", "#!/usr/bin/python3\nx"},
      {"#!python", "#!/usr/bin/python3\n"},
      {"#!python no newline", "#!/usr/bin/python3\n"},
      {"#!/usr/bin/env python\nx\n", "#!/usr/bin/env python\nx\n"},
      {"#!/bin/sh\necho\n", "#!/bin/sh\necho\n"},
      {"# !python\n", "# !python\n"},
      {"#!pyth", "#!pyth"},
      {"", ""},
      {"\x7f"
       "ELF binary",
       "\x7f"
       "ELF binary"},
  };
  for (const Case& c : cases) {
    for (std::size_t size : {1, 2, 3, 7, 8, 9, 100}) {
      EXPECT_EQ(rewrite(c.in, size), c.out) << c.in << " in chunks of " << size;
    }
  }
}

}  // namespace
}  // namespace ignite::wheel
