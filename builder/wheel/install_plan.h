// Where each member of a wheel goes, decided from the member list and the .dist-info before
// anything is written (the layout of `pip install --target DIR`):
//
//   <root>/...                     -> DIR/...   (purelib or platlib: both are DIR)
//   <x>.data/purelib|platlib/...   -> DIR/...
//   <x>.data/scripts/...           -> DIR/bin/...  ("#!python" rewritten, mode 0755)
//   <x>.data/headers/...           -> DIR/include/python/<dist-info name>/...
//   <x>.data/data/...              -> DIR/...
//
// Not installed: directory members (pip makes no empty directories), the wheel's own
// <dist-info>/RECORD, INSTALLER and REQUESTED (the installer writes its own), and scripts that
// setuptools made for an entry point ("name", "name.exe", "name-script.py", "name.pya" for a
// console or gui script "name"), which the launcher replaces, as pip does.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "builder/util/status.h"
#include "builder/wheel/dist_info.h"
#include "builder/wheel/entry_points.h"
#include "builder/wheel/wheel_info.h"
#include "builder/wheel/wheel_zip.h"

namespace ignite::wheel {

struct PlannedFile {
  std::string dest;     // relative to the target
  bool script = false;  // from <x>.data/scripts/: the "#!python" rewrite applies
  int mode = 0644;      // 0755 for scripts and members with the owner-exec bit
};

struct GeneratedFile {
  std::string dest;
  enum class Kind { kLauncher, kInstaller, kRequested, kRecord } kind;
  std::size_t script = 0;  // for a launcher: its index in InstallPlan::scripts
};

struct InstallPlan {
  DistInfo dist_info;
  WheelInfo wheel;
  std::vector<ScriptEntry> scripts;
  std::map<std::string, PlannedFile> files;  // by member name; absent: not installed
  std::vector<GeneratedFile> generated;      // launchers, INSTALLER, REQUESTED, RECORD
};

// The .dist-info files the plan reads, as pass 1 found them (nullopt: not in the wheel).
struct DistInfoTexts {
  std::optional<std::string> wheel;         // WHEEL
  std::optional<std::string> entry_points;  // entry_points.txt
  bool has_metadata = false;
  bool has_record = false;
};

// INVALID_ARGUMENT naming the member for: a missing METADATA, WHEEL or RECORD, a bad WHEEL or
// entry_points.txt, a duplicate member, a file under <x>.data/ outside purelib, platlib,
// scripts, headers or data, and two things (members, launchers, the installer's files) that
// would land on one path or put a file where another needs a directory.
Result<InstallPlan> plan_install(const std::vector<ZipMember>& members, DistInfo dist_info,
                                 const DistInfoTexts& texts, bool requested);

}  // namespace ignite::wheel
