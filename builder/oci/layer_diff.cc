#include "builder/oci/layer_diff.h"

#include <archive.h>
#include <archive_entry.h>

#include <cstdio>
#include <vector>

#include "builder/oci/image_reader.h"
#include "builder/source/source_path.h"
#include "builder/util/archive_read.h"
#include "builder/util/sha256.h"

namespace ignite::oci {
namespace {

ComparedKind kind_of(archive_entry* e) {
  if (!archive_entry_hardlink_name(e).empty()) return ComparedKind::kHardLink;
  switch (archive_entry_filetype(e)) {
    case AE_IFREG:
      return ComparedKind::kFile;
    case AE_IFDIR:
      return ComparedKind::kDirectory;
    case AE_IFLNK:
      return ComparedKind::kSymlink;
    default:
      return ComparedKind::kOther;
  }
}

std::string_view kind_name(ComparedKind kind) {
  switch (kind) {
    case ComparedKind::kFile:
      return "file";
    case ComparedKind::kDirectory:
      return "directory";
    case ComparedKind::kSymlink:
      return "symlink";
    case ComparedKind::kHardLink:
      return "hard link";
    case ComparedKind::kOther:
      return "other";
  }
  return "?";
}

std::string octal_mode(std::uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode));
  return buf;
}

// The content's sha256, streamed in the blocks libarchive hands over (nothing is kept).
Result<std::string> hash_data(archive* a, const std::string& quoted) {
  Sha256 sha;
  for (;;) {
    const void* buf = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    const int r = archive_read_data_block(a, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return data_loss("reading " + quoted + ": " + archive_error(a));
    sha.update(buf, size);
  }
  return sha.finish_hex();
}

Result<LayerEntries> read_entries(const std::string& path, bool gzip) {
  IGNITE_ASSIGN_OR_RETURN(ArchiveReadPtr a, open_tar_file(path, gzip));
  LayerEntries out;
  for (;;) {
    archive_entry* e = nullptr;
    const int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return data_loss("not a readable tar: " + archive_error(a.get()));
    const std::string raw = archive_entry_name(e);
    const std::string quoted = quote_path(raw);
    ComparedEntry entry;
    entry.kind = kind_of(e);
    entry.mode = static_cast<std::uint32_t>(archive_entry_perm(e)) & 07777;
    entry.uid = archive_entry_uid(e);
    entry.gid = archive_entry_gid(e);
    entry.size = archive_entry_size(e);
    if (entry.kind == ComparedKind::kHardLink) {
      entry.link = archive_entry_hardlink_name(e);
    } else if (entry.kind == ComparedKind::kSymlink) {
      entry.link = archive_entry_symlink_name(e);
    } else if (entry.kind == ComparedKind::kFile) {
      IGNITE_ASSIGN_OR_RETURN(entry.sha256, hash_data(a.get(), quoted));
    }
    std::string name = normalize_member_name(raw);
    if (!out.emplace(std::move(name), std::move(entry)).second) {
      return data_loss("entry " + quoted + " appears twice");
    }
  }
  return out;
}

}  // namespace

Result<LayerEntries> read_layer_entries(const OciLayout& layout, const Descriptor& layer) {
  const std::string context = "reading the entries of layer " + layer.digest.to_string();
  auto file = layer_file(layout, layer);
  if (!file.ok()) return file.status().with_context(context);
  auto entries = read_entries(file->path, file->gzip);
  if (!entries.ok()) return entries.status().with_context(context);
  return entries;
}

std::vector<EntryDifference> diff_layer_entries(const LayerEntries& expected,
                                                const LayerEntries& actual) {
  std::vector<EntryDifference> out;
  auto e = expected.begin();
  auto a = actual.begin();
  while (e != expected.end() || a != actual.end()) {
    if (a == actual.end() || (e != expected.end() && e->first < a->first)) {
      out.push_back({e->first, "only in expected"});
      ++e;
      continue;
    }
    if (e == expected.end() || a->first < e->first) {
      out.push_back({a->first, "only in actual"});
      ++a;
      continue;
    }
    const ComparedEntry& x = e->second;
    const ComparedEntry& y = a->second;
    std::vector<std::string> what;
    if (x.kind != y.kind) {
      what.push_back("type " + std::string(kind_name(x.kind)) +
                     " != " + std::string(kind_name(y.kind)));
    } else {
      if (x.sha256 != y.sha256)
        what.push_back("content sha256:" + x.sha256 + " != sha256:" + y.sha256);
      if (x.size != y.size) {
        what.push_back("size " + std::to_string(x.size) + " != " + std::to_string(y.size));
      }
      if (x.link != y.link) what.push_back("link " + x.link + " != " + y.link);
    }
    if (x.mode != y.mode)
      what.push_back("mode " + octal_mode(x.mode) + " != " + octal_mode(y.mode));
    if (x.uid != y.uid || x.gid != y.gid) {
      what.push_back("owner " + std::to_string(x.uid) + ":" + std::to_string(x.gid) +
                     " != " + std::to_string(y.uid) + ":" + std::to_string(y.gid));
    }
    if (!what.empty()) {
      std::string joined;
      for (const std::string& w : what) joined += (joined.empty() ? "" : ", ") + w;
      out.push_back({e->first, std::move(joined)});
    }
    ++e;
    ++a;
  }
  return out;
}

std::string differences_summary(const std::vector<EntryDifference>& diffs, std::size_t shown) {
  std::string text;
  for (std::size_t i = 0; i < diffs.size() && i < shown; ++i) {
    text += (i ? "; " : "") + diffs[i].path + ": " + diffs[i].what;
  }
  if (diffs.size() > shown) text += "; and " + std::to_string(diffs.size() - shown) + " more";
  return text;
}

}  // namespace ignite::oci
