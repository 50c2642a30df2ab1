#include "builder/wheel/zip_directory.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "builder/wheel/member_path.h"

namespace ignite::wheel {
namespace {

constexpr std::size_t kEndRecord = 22;       // PK\5\6 without its comment
constexpr std::size_t kZip64Locator = 20;    // PK\6\7
constexpr std::size_t kZip64EndRecord = 56;  // PK\6\6, fixed part
constexpr std::size_t kCentralHeader = 46;   // PK\1\2, fixed part
constexpr std::size_t kLocalHeader = 30;     // PK\3\4, fixed part
constexpr std::uint64_t kMaxDirectoryBytes = 256 << 20;

std::uint64_t le(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

Status read_at(int fd, std::uint64_t offset, std::size_t n, std::string& out) {
  out.resize(n);
  std::size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, out.data() + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return errno_status("reading the wheel file", errno);
    if (r == 0) return data_loss("the zip is truncated");
    done += static_cast<std::size_t>(r);
  }
  return ok_status();
}

const unsigned char* bytes(const std::string& s, std::size_t at = 0) {
  return reinterpret_cast<const unsigned char*>(s.data()) + at;
}

struct EndRecord {
  std::uint64_t entries = 0;
  std::uint64_t dir_size = 0;
  std::uint64_t dir_offset = 0;
  std::uint64_t dir_end = 0;  // where the directory must end: the (zip64) end record
};

Result<EndRecord> find_end_record(int fd, std::uint64_t size) {
  const std::size_t tail =
      static_cast<std::size_t>(std::min<std::uint64_t>(size, 0xFFFF + kEndRecord));
  if (tail < kEndRecord) return data_loss("not a zip file (too short)");
  std::string buf;
  IGNITE_RETURN_IF_ERROR(read_at(fd, size - tail, tail, buf));
  // The last end record whose comment runs exactly to the end of the file.
  for (std::size_t i = tail - kEndRecord + 1; i-- > 0;) {
    if (std::memcmp(buf.data() + i, "PK\5\6", 4) != 0) continue;
    const unsigned char* p = bytes(buf, i);
    if (i + kEndRecord + le(p + 20, 2) != tail) continue;
    if (le(p + 4, 2) != 0 || le(p + 6, 2) != 0 || le(p + 8, 2) != le(p + 10, 2)) {
      return data_loss("the zip spans several disks");
    }
    EndRecord end;
    end.entries = le(p + 10, 2);
    end.dir_size = le(p + 12, 4);
    end.dir_offset = le(p + 16, 4);
    end.dir_end = size - tail + i;
    const bool zip64 =
        end.entries == 0xFFFF || end.dir_size == 0xFFFFFFFF || end.dir_offset == 0xFFFFFFFF;
    if (i >= kZip64Locator && std::memcmp(buf.data() + i - kZip64Locator, "PK\6\7", 4) == 0) {
      const unsigned char* loc = bytes(buf, i - kZip64Locator);
      const std::uint64_t at = le(loc + 8, 8);
      if (at > size || size - at < kZip64EndRecord) return data_loss("bad zip64 end locator");
      std::string rec;
      IGNITE_RETURN_IF_ERROR(read_at(fd, at, kZip64EndRecord, rec));
      const unsigned char* r = bytes(rec);
      if (std::memcmp(rec.data(), "PK\6\6", 4) != 0) return data_loss("bad zip64 end record");
      if (le(r + 16, 4) != 0 || le(r + 20, 4) != 0 || le(r + 24, 8) != le(r + 32, 8)) {
        return data_loss("the zip spans several disks");
      }
      end.entries = le(r + 32, 8);
      end.dir_size = le(r + 40, 8);
      end.dir_offset = le(r + 48, 8);
      end.dir_end = at;
    } else if (zip64) {
      return data_loss("the zip's end record needs a zip64 record that is not there");
    }
    return end;
  }
  return data_loss("not a zip file (no end of central directory record)");
}

// Zip64 extra field (0x0001): 64-bit values for the fields saturated in the header, in order.
Status apply_zip64(const unsigned char* extra, std::size_t len, CentralEntry& e, bool need_usize,
                   bool need_csize, bool need_offset) {
  std::size_t at = 0;
  while (at + 4 <= len) {
    const std::uint64_t id = le(extra + at, 2);
    const std::size_t n = static_cast<std::size_t>(le(extra + at + 2, 2));
    if (at + 4 + n > len) break;
    if (id == 1) {
      const unsigned char* f = extra + at + 4;
      std::size_t used = 0;
      auto take = [&](std::uint64_t& out) -> bool {
        if (used + 8 > n) return false;
        out = le(f + used, 8);
        used += 8;
        return true;
      };
      if ((need_usize && !take(e.uncompressed_size)) || (need_csize && !take(e.compressed_size)) ||
          (need_offset && !take(e.local_header_offset))) {
        return data_loss("member " + quote_member(e.name) + ": short zip64 field");
      }
      return ok_status();
    }
    at += 4 + n;
  }
  if (need_usize || need_csize || need_offset) {
    return data_loss("member " + quote_member(e.name) + ": no zip64 field for its sizes");
  }
  return ok_status();
}

}  // namespace

Result<std::vector<CentralEntry>> read_central_directory(int fd, std::uint64_t size,
                                                         std::size_t max_entries) {
  IGNITE_ASSIGN_OR_RETURN(EndRecord end, find_end_record(fd, size));
  if (end.entries > max_entries) {
    return resource_exhausted("the wheel has " + std::to_string(end.entries) +
                              " members, more than " + std::to_string(max_entries));
  }
  if (end.dir_offset > end.dir_end || end.dir_end - end.dir_offset != end.dir_size) {
    return data_loss("the central directory is not where the end record puts it");
  }
  if (end.dir_size > kMaxDirectoryBytes) return data_loss("the central directory is too large");
  std::string dir;
  IGNITE_RETURN_IF_ERROR(read_at(fd, end.dir_offset, static_cast<std::size_t>(end.dir_size), dir));
  std::vector<CentralEntry> out;
  std::size_t at = 0;
  for (std::uint64_t i = 0; i < end.entries; ++i) {
    if (dir.size() - at < kCentralHeader || std::memcmp(dir.data() + at, "PK\1\2", 4) != 0) {
      return data_loss("central directory entry " + std::to_string(i + 1) + " is damaged");
    }
    const unsigned char* p = bytes(dir, at);
    const std::size_t name_len = static_cast<std::size_t>(le(p + 28, 2));
    const std::size_t extra_len = static_cast<std::size_t>(le(p + 30, 2));
    const std::size_t comment_len = static_cast<std::size_t>(le(p + 32, 2));
    if (dir.size() - at - kCentralHeader < name_len + extra_len + comment_len) {
      return data_loss("central directory entry " + std::to_string(i + 1) + " is truncated");
    }
    CentralEntry e;
    e.name.assign(dir.data() + at + kCentralHeader, name_len);
    e.compressed_size = le(p + 20, 4);
    e.uncompressed_size = le(p + 24, 4);
    e.local_header_offset = le(p + 42, 4);
    if (p[5] == 3) e.unix_mode = static_cast<std::uint32_t>(le(p + 38, 4) >> 16);  // Unix
    if (le(p + 34, 2) != 0 && le(p + 34, 2) != 0xFFFF) {
      return data_loss("member " + quote_member(e.name) + " is on another disk");
    }
    IGNITE_RETURN_IF_ERROR(
        apply_zip64(p + kCentralHeader + name_len, extra_len, e, e.uncompressed_size == 0xFFFFFFFF,
                    e.compressed_size == 0xFFFFFFFF, e.local_header_offset == 0xFFFFFFFF));
    out.push_back(std::move(e));
    at += kCentralHeader + name_len + extra_len + comment_len;
  }
  if (at != dir.size()) return data_loss("the central directory has trailing data");
  std::stable_sort(out.begin(), out.end(), [](const CentralEntry& a, const CentralEntry& b) {
    return a.local_header_offset < b.local_header_offset;
  });
  // Each member's local header and data must end before the next one starts: overlapping
  // members are how the densest zip bombs reuse one compressed kernel many times.
  for (std::size_t i = 0; i < out.size(); ++i) {
    const CentralEntry& e = out[i];
    const std::uint64_t limit =
        i + 1 < out.size() ? out[i + 1].local_header_offset : end.dir_offset;
    const std::uint64_t need = kLocalHeader + e.name.size() + e.compressed_size;
    if (e.local_header_offset > limit || limit - e.local_header_offset < need) {
      return data_loss("member " + quote_member(e.name) +
                       (i + 1 < out.size() ? " overlaps member " + quote_member(out[i + 1].name)
                                           : std::string(" runs into the central directory")));
    }
  }
  return out;
}

}  // namespace ignite::wheel
