// entry_points.txt: the script sections, what is refused, and the launcher's exact bytes.
#include <gtest/gtest.h>

#include "builder/wheel/entry_points.h"

namespace ignite::wheel {
namespace {

TEST(WheelEntryPointsTest, ReadsConsoleAndGuiScripts) {
  auto e = parse_script_entry_points(
      "# comment\n"
      "[console_scripts]\n"
      "flask=flask.cli:main\n"
      "  tool-2.0 = pkg.sub.mod : App.run [extra1, extra2]  \r\n"
      "; another comment\n"
      "\n"
      "[babel.extractors]\n"
      "jinja2 = this is not read at all\n"
      "[gui_scripts]\n"
      "viewer = pkg.gui:start\n");
  ASSERT_TRUE(e.ok()) << e.status().to_string();
  ASSERT_EQ(e->size(), 3u);
  EXPECT_EQ((*e)[0].name, "flask");
  EXPECT_EQ((*e)[0].module, "flask.cli");
  EXPECT_EQ((*e)[0].attr, "main");
  EXPECT_FALSE((*e)[0].gui);
  EXPECT_EQ((*e)[1].name, "tool-2.0");
  EXPECT_EQ((*e)[1].module, "pkg.sub.mod");
  EXPECT_EQ((*e)[1].attr, "App.run");
  EXPECT_EQ((*e)[2].name, "viewer");
  EXPECT_TRUE((*e)[2].gui);
}

TEST(WheelEntryPointsTest, NoScriptSectionsNoScripts) {
  auto e = parse_script_entry_points("[distutils.setup_keywords]\ncffi_modules = x:y\n");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->empty());
}

TEST(WheelEntryPointsTest, RefusesWhatCouldReachTheLauncherOrEscapeBin) {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"[console_scripts]\nx\n", "line 2: no '=' in \"x\""},
      {"[console_scripts]\n../evil = a:b\n",
       "line 2: script name \"../evil\" is not made of ASCII letters, digits and \"_.+-\""},
      {"[console_scripts]\n.. = a:b\n",
       "line 2: script name \"..\" is not made of ASCII letters, digits and \"_.+-\""},
      {"[console_scripts]\n = a:b\n",
       "line 2: script name \"\" is not made of ASCII letters, digits and \"_.+-\""},
      {"[gui_scripts]\nx = mod\n", "line 2: script \"x\": \"mod\" has no \":attribute\" to call"},
      {"[console_scripts]\nx = os;import os:system\n",
       "line 2: script \"x\": \"os;import os:system\" is not \"module:attribute\" with dotted "
       "ASCII names"},
      {"[console_scripts]\nx = a:b()\n",
       "line 2: script \"x\": \"a:b()\" is not \"module:attribute\" with dotted ASCII names"},
      {"[console_scripts]\nx = a..b:c\n",
       "line 2: script \"x\": \"a..b:c\" is not \"module:attribute\" with dotted ASCII names"},
      {"[console_scripts]\nx = a:1b\n",
       "line 2: script \"x\": \"a:1b\" is not \"module:attribute\" with dotted ASCII names"},
      {"[console_scripts]\nx = a:b [extra\n", "line 2: extras in \"a:b [extra\" not closed"},
      {"[console_scripts]\nx = a:b\nx = c:d\n", "line 3: script \"x\" is defined twice"},
      {"[console_scripts]\nx = caf\xc3\xa9:main\n",
       "line 2: script \"x\": \"caf\xc3\xa9:main\" is not \"module:attribute\" with dotted ASCII "
       "names"},
      {"[console_scripts]\nx = a:\xff\n", "not valid UTF-8 (at byte 24)"},
  };
  for (const Case& c : cases) {
    auto e = parse_script_entry_points(c.text);
    ASSERT_FALSE(e.ok()) << c.text;
    EXPECT_EQ(e.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(e.status().message(), c.message);
  }
}

TEST(WheelEntryPointsTest, LauncherIsPipsByteForByte) {
  ScriptEntry e{"normalizer", "charset_normalizer.cli", "cli_detect", false};
  EXPECT_EQ(launcher_script(e, "/usr/bin/python3"),
            "#!/usr/bin/python3\n"
            "# -*- coding: utf-8 -*-\n"
            "import re\n"
            "import sys\n"
            "from charset_normalizer.cli import cli_detect\n"
            "if __name__ == '__main__':\n"
            "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
            "    sys.exit(cli_detect())\n");
  ScriptEntry dotted{"viewer", "pkg.gui", "App.run", true};
  const std::string text = launcher_script(dotted, "/opt/py/bin/python3.11");
  EXPECT_TRUE(text.starts_with("#!/opt/py/bin/python3.11\n")) << text;
  EXPECT_NE(text.find("\nfrom pkg.gui import App\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n    sys.exit(App.run())\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace ignite::wheel
