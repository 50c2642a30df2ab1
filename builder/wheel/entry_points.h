// Script entry points (entry_points.txt in a .dist-info) and the launchers made from them.
//
//   [console_scripts]
//   flask = flask.cli:main
//   [gui_scripts]
//   viewer = pkg.gui:App.run [gui]
//
// The launcher is Python source that imports the module and calls the attribute, so every
// part that reaches it is checked to be a plain dotted name: nothing from the wheel can add
// code to it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "builder/util/status.h"

namespace ignite::wheel {

struct ScriptEntry {
  std::string name;    // the launcher's file name in bin/
  std::string module;  // "flask.cli"
  std::string attr;    // "main", or dotted: "App.run"
  bool gui = false;
};

// The [console_scripts] and [gui_scripts] entries, in file order; other sections are not
// read. Lines are trimmed; empty lines and lines starting with '#' or ';' are skipped (as
// configparser does); "[extras]" after the callable is ignored. INVALID_ARGUMENT naming the
// line for text that is not UTF-8, a line without '=', a name that is empty, "." or "..", or
// holds anything but ASCII letters, digits and "_.+-", an object reference that is not
// "module:attr" with each part a dotted ASCII identifier, or a name given twice in a section.
Result<std::vector<ScriptEntry>> parse_script_entry_points(std::string_view text);

// The launcher pip writes (distlib's ScriptMaker), byte for byte:
//   #!<interpreter>
//   # -*- coding: utf-8 -*-
//   import re
//   import sys
//   from <module> import <first part of attr>
//   if __name__ == '__main__':
//       sys.argv[0] = re.sub(r'(-script\.pyw|\.exe)?$', '', sys.argv[0])
//       sys.exit(<attr>())
std::string launcher_script(const ScriptEntry& entry, std::string_view interpreter);

}  // namespace ignite::wheel
