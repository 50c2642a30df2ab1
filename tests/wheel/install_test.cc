// install_wheel on synthetic wheels: the layout pip --target makes, launchers, the installer's
// files and the rewritten RECORD, byte for byte.
#include <gtest/gtest.h>

#include "builder/wheel/wheel_install.h"
#include "tests/wheel/wheel_builder.h"

namespace ignite::testing {
namespace {

using wheel::InstalledWheel;
using wheel::InstallOptions;

class WheelInstallTest : public ::testing::Test {
 protected:
  InstalledWheel install(const TestWheel& w, const InstallOptions& options = {}) {
    auto r = install_test_wheel(tmp_, w, options);
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    return r.ok() ? *r : InstalledWheel{};
  }
  std::string target(std::string_view rel) const { return tmp_ / ("target/" + std::string(rel)); }
  std::string read(std::string_view rel) const { return slurp(target(rel)); }
  int mode(std::string_view rel) const { return mode_of(target(rel)); }

  TempDir tmp_;
};

TEST_F(WheelInstallTest, PurelibRootGoesToTheTarget) {
  TestWheel w;
  w.entries = {ZipEntry::dir("demo/"), ZipEntry::file("demo/__init__.py", "x = 1\n"),
               ZipEntry{"demo/data.json", "{}", 0100644, true}};
  InstalledWheel r = install(w);
  EXPECT_EQ(r.name, "demo");
  EXPECT_EQ(r.version, "1.0");
  EXPECT_TRUE(r.warnings.empty());
  const std::vector<std::string> files = {"demo-1.0.dist-info/INSTALLER",
                                          "demo-1.0.dist-info/METADATA",
                                          "demo-1.0.dist-info/RECORD",
                                          "demo-1.0.dist-info/WHEEL",
                                          "demo/__init__.py",
                                          "demo/data.json"};
  EXPECT_EQ(r.files, files);
  EXPECT_EQ(list_files(tmp_ / "target"), files);
  EXPECT_EQ(read("demo/__init__.py"), "x = 1\n");
  EXPECT_EQ(read("demo/data.json"), "{}");
  EXPECT_EQ(read("demo-1.0.dist-info/INSTALLER"), "ignite-builder\n");
  EXPECT_EQ(mode("demo/__init__.py"), 0644);
  EXPECT_EQ(mode("demo"), 0755);
  EXPECT_EQ(mode("demo-1.0.dist-info"), 0755);
  EXPECT_EQ(mode("demo-1.0.dist-info/RECORD"), 0644);
  // Every installed file with its hash and size, the installer's files without, sorted.
  EXPECT_EQ(read("demo-1.0.dist-info/RECORD"),
            "demo-1.0.dist-info/INSTALLER,,\n" +
                record_row("demo-1.0.dist-info/METADATA",
                           "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n") +
                "demo-1.0.dist-info/RECORD,,\n" + record_row("demo-1.0.dist-info/WHEEL", w.wheel) +
                record_row("demo/__init__.py", "x = 1\n") + record_row("demo/data.json", "{}"));
}

TEST_F(WheelInstallTest, PlatlibRootKeepsExecutableBits) {
  TestWheel w;
  w.wheel = "Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp311-cp311-linux_x86_64\n";
  w.entries = {ZipEntry::file("demo/_speedups.so",
                              "\x7f"
                              "ELF",
                              0755),
               ZipEntry::file("demo/group_exec_only", "x", 0654),
               ZipEntry::file("demo/__init__.py", "")};
  install(w);
  EXPECT_EQ(read("demo/_speedups.so"),
            "\x7f"
            "ELF");
  EXPECT_EQ(mode("demo/_speedups.so"), 0755);
  EXPECT_EQ(mode("demo/group_exec_only"), 0644);  // owner-exec decides
  EXPECT_EQ(mode("demo/__init__.py"), 0644);
}

TEST_F(WheelInstallTest, EveryDataSchemeLandsWherePipPutsIt) {
  TestWheel w;
  w.entries = {
      ZipEntry::file("demo/__init__.py", ""),
      ZipEntry::dir("demo-1.0.data/"),
      ZipEntry::dir("demo-1.0.data/scripts/"),
      ZipEntry::file("demo-1.0.data/purelib/demo_extra/__init__.py", "pure\n"),
      ZipEntry::file("demo-1.0.data/platlib/demo_native.so", "so", 0755),
      ZipEntry::file("demo-1.0.data/scripts/demo-run", "#!python\nimport demo\n"),
      ZipEntry::file("demo-1.0.data/scripts/demo-gui", "#!pythonw -O\r\nimport demo\r\n"),
      ZipEntry::file("demo-1.0.data/scripts/demo.sh", "#!/bin/sh\necho hi\n"),
      ZipEntry::file("demo-1.0.data/headers/demo.h", "#define DEMO 1\n"),
      ZipEntry::file("demo-1.0.data/data/share/demo/readme.txt", "data\n"),
  };
  InstalledWheel r = install(w);
  const std::vector<std::string> files = {"bin/demo-gui",
                                          "bin/demo-run",
                                          "bin/demo.sh",
                                          "demo-1.0.dist-info/INSTALLER",
                                          "demo-1.0.dist-info/METADATA",
                                          "demo-1.0.dist-info/RECORD",
                                          "demo-1.0.dist-info/WHEEL",
                                          "demo/__init__.py",
                                          "demo_extra/__init__.py",
                                          "demo_native.so",
                                          "include/python/demo/demo.h",
                                          "share/demo/readme.txt"};
  EXPECT_EQ(r.files, files);
  EXPECT_EQ(list_files(tmp_ / "target"), files);
  EXPECT_EQ(read("bin/demo-run"), "#!/usr/bin/python3\nimport demo\n");
  EXPECT_EQ(read("bin/demo-gui"), "#!/usr/bin/python3\nimport demo\r\n");
  EXPECT_EQ(read("bin/demo.sh"), "#!/bin/sh\necho hi\n");
  EXPECT_EQ(mode("bin/demo-run"), 0755);
  EXPECT_EQ(mode("bin/demo.sh"), 0755);  // scripts are executable whatever the zip says
  EXPECT_EQ(mode("demo_native.so"), 0755);
  EXPECT_EQ(read("include/python/demo/demo.h"), "#define DEMO 1\n");
  EXPECT_EQ(read("share/demo/readme.txt"), "data\n");
  // RECORD lists the rewritten script as installed, under its new path.
  const std::string record = read("demo-1.0.dist-info/RECORD");
  EXPECT_NE(record.find(record_row("bin/demo-run", "#!/usr/bin/python3\nimport demo\n")),
            std::string::npos)
      << record;
  EXPECT_NE(record.find(record_row("include/python/demo/demo.h", "#define DEMO 1\n")),
            std::string::npos)
      << record;
  EXPECT_EQ(record.find(".data/"), std::string::npos) << record;
}

TEST_F(WheelInstallTest, HeadersUseTheDistInfoSpelling) {
  TestWheel w;
  w.name = "Demo_Pkg";
  w.entries = {ZipEntry::file("Demo_Pkg-1.0.data/headers/x.h", "")};
  auto r = install_bytes(tmp_, "demo_pkg-1.0-py3-none-any.whl", w.bytes());
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->name, "Demo_Pkg");
  EXPECT_EQ(read("include/python/Demo_Pkg/x.h"), "");
}

TEST_F(WheelInstallTest, LaunchersForConsoleAndGuiScripts) {
  TestWheel w;
  w.entries = {ZipEntry::file("demo/__init__.py", ""), ZipEntry::file("demo/cli.py", "")};
  w.entry_points =
      "[console_scripts]\ndemo = demo.cli:main\ndemo-sub = demo.cli:App.run [extra]\n"
      "[gui_scripts]\ndemo-gui = demo.gui:start\n";
  InstallOptions options;
  options.interpreter = "/opt/python/bin/python3.12";
  InstalledWheel r = install(w, options);
  EXPECT_EQ(read("bin/demo"),
            "#!/opt/python/bin/python3.12\n"
            "# -*- coding: utf-8 -*-\n"
            "import re\n"
            "import sys\n"
            "from demo.cli import main\n"
            "if __name__ == '__main__':\n"
            "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
            "    sys.exit(main())\n");
  EXPECT_EQ(read("bin/demo-sub"),
            "#!/opt/python/bin/python3.12\n"
            "# -*- coding: utf-8 -*-\n"
            "import re\n"
            "import sys\n"
            "from demo.cli import App\n"
            "if __name__ == '__main__':\n"
            "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
            "    sys.exit(App.run())\n");
  EXPECT_NE(read("bin/demo-gui").find("from demo.gui import start\n"), std::string::npos);
  EXPECT_EQ(mode("bin/demo"), 0755);
  EXPECT_EQ(mode("bin/demo-gui"), 0755);
  EXPECT_EQ(mode("bin"), 0755);
  const std::string record = read("demo-1.0.dist-info/RECORD");
  EXPECT_NE(record.find(record_row("bin/demo", read("bin/demo"))), std::string::npos) << record;
  EXPECT_NE(std::find(r.files.begin(), r.files.end(), "bin/demo-gui"), r.files.end());
}

TEST_F(WheelInstallTest, SetuptoolsWrappersGiveWayToLaunchers) {
  TestWheel w;
  w.entry_points = "[console_scripts]\ntool = demo:main\n";
  w.entries = {ZipEntry::file("demo.py", "def main(): pass\n"),
               ZipEntry::file("demo-1.0.data/scripts/tool", "#!python\nold wrapper\n"),
               ZipEntry::file("demo-1.0.data/scripts/tool.exe", "MZ"),
               ZipEntry::file("demo-1.0.data/scripts/tool-script.py", "wrapper"),
               ZipEntry::file("demo-1.0.data/scripts/other", "#!python\n")};
  InstalledWheel r = install(w);
  EXPECT_EQ(list_files(tmp_ / "target/bin"), (std::vector<std::string>{"other", "tool"}));
  EXPECT_TRUE(read("bin/tool").find("from demo import main") != std::string::npos);
  EXPECT_TRUE(r.warnings.empty());  // skipped members are still checked against RECORD
}

TEST_F(WheelInstallTest, RequestedAndTheWheelsOwnInstallerFiles) {
  TestWheel w;
  w.entries = {ZipEntry::file("demo.py", ""),
               ZipEntry::file("demo-1.0.dist-info/INSTALLER", "some-other-tool\n"),
               ZipEntry::file("demo-1.0.dist-info/REQUESTED", "")};
  InstallOptions options;
  options.requested = true;
  InstalledWheel r = install(w, options);
  EXPECT_EQ(read("demo-1.0.dist-info/INSTALLER"), "ignite-builder\n");
  EXPECT_EQ(read("demo-1.0.dist-info/REQUESTED"), "");
  const std::string record = read("demo-1.0.dist-info/RECORD");
  EXPECT_NE(record.find("\ndemo-1.0.dist-info/REQUESTED,,\n"), std::string::npos) << record;
  EXPECT_NE(record.find("demo-1.0.dist-info/INSTALLER,,\n"), std::string::npos) << record;
  EXPECT_NE(std::find(r.files.begin(), r.files.end(), "demo-1.0.dist-info/REQUESTED"),
            r.files.end());

  TempDir other;
  auto again = install_test_wheel(other, w);  // not requested: the wheel's REQUESTED is dropped
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(slurp(other / "target/demo-1.0.dist-info/REQUESTED"), "<missing>");
}

TEST_F(WheelInstallTest, UnicodeAndCommaNamesRoundTripThroughRecord) {
  TestWheel w;
  w.entries = {ZipEntry::file("demo/caf\xc3\xa9.txt", "\xe2\x98\x95"),
               ZipEntry::file("demo/a,b \"c\".txt", "q")};
  install(w);
  EXPECT_EQ(read("demo/caf\xc3\xa9.txt"), "\xe2\x98\x95");
  const std::string record = read("demo-1.0.dist-info/RECORD");
  EXPECT_NE(record.find("\"demo/a,b \"\"c\"\".txt\",sha256="), std::string::npos) << record;
}

TEST_F(WheelInstallTest, Zip64AndCentralDirectoryOrder) {
  TestWheel w;
  w.entries = {ZipEntry::file("demo/a.py", "a"), ZipEntry::file("demo/b.py", "b", 0755)};
  // The central directory lists members in another order than the file holds them.
  ZipLayout layout;
  layout.zip64 = true;
  layout.central_order = {4, 2, 0, 1, 3};
  const std::string bytes = build_zip(w.members(), layout);
  auto r = install_bytes(tmp_, w.filename(), bytes);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(read("demo/b.py"), "b");
  EXPECT_EQ(mode("demo/b.py"), 0755);
}

TEST_F(WheelInstallTest, EmptyTargetDirectoryIsFine) {
  tmp_.mkdir("target");
  TestWheel w;
  w.entries = {ZipEntry::file("demo.py", "")};
  install(w);
  EXPECT_EQ(read("demo.py"), "");
}

}  // namespace
}  // namespace ignite::testing
