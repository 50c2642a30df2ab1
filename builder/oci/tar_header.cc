#include "builder/oci/tar_header.h"

#include <cstring>

#include "builder/source/source_path.h"

namespace ignite::oci {
namespace {

// ustar field offsets and widths (POSIX.1-1988).
struct Field {
  std::size_t offset;
  std::size_t width;
};
constexpr Field kName{0, 100}, kMode{100, 8}, kUid{108, 8}, kGid{116, 8}, kSize{124, 12},
    kMtime{136, 12}, kChecksum{148, 8}, kTypeflag{156, 1}, kLinkname{157, 100}, kMagic{257, 6},
    kVersion{263, 2}, kDevmajor{329, 8}, kDevminor{337, 8}, kPrefix{345, 155};

constexpr std::uint64_t max_octal(std::size_t width) {
  // width - 1 octal digits; the last byte is NUL.
  return (std::uint64_t{1} << (3 * (width - 1))) - 1;
}

class UstarBlock {
 public:
  UstarBlock() : b_(kTarBlockBytes, '\0') {
    put_bytes(kMagic, std::string_view("ustar\0", 6));
    put_bytes(kVersion, "00");
  }
  void put_bytes(Field f, std::string_view s) {
    if (!s.empty()) std::memcpy(b_.data() + f.offset, s.data(), std::min(s.size(), f.width));
  }
  // Zero-padded octal with a NUL terminator; the caller has checked that `v` fits.
  void put_octal(Field f, std::uint64_t v) {
    for (std::size_t i = f.width - 1; i-- > 0; v >>= 3) b_[f.offset + i] = char('0' + (v & 7));
  }
  std::string finish() {
    std::memset(b_.data() + kChecksum.offset, ' ', kChecksum.width);
    std::uint32_t sum = 0;
    for (char c : b_) sum += static_cast<unsigned char>(c);
    // Six octal digits, NUL, space: the form every tar writes and reads.
    for (std::size_t i = 6; i-- > 0; sum >>= 3) b_[kChecksum.offset + i] = char('0' + (sum & 7));
    b_[kChecksum.offset + 6] = '\0';
    return std::move(b_);
  }

 private:
  std::string b_;
};

char typeflag(LayerEntryType t) {
  switch (t) {
    case LayerEntryType::kRegular:
      return '0';
    case LayerEntryType::kHardlink:
      return '1';
    case LayerEntryType::kSymlink:
      return '2';
    case LayerEntryType::kCharDevice:
      return '3';
    case LayerEntryType::kBlockDevice:
      return '4';
    case LayerEntryType::kDirectory:
      return '5';
    case LayerEntryType::kFifo:
      return '6';
  }
  return '0';
}

std::size_t decimal_digits(std::size_t n) {
  std::size_t d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

}  // namespace

std::optional<std::pair<std::string_view, std::string_view>> split_ustar_name(
    std::string_view name) {
  if (name.size() <= kName.width) return std::pair{std::string_view(), name};
  std::size_t i = std::min(name.size() - 1, kPrefix.width);
  for (;; --i) {
    if (name[i] == '/') {
      std::size_t rest = name.size() - i - 1;
      if (rest > kName.width) return std::nullopt;  // shorter prefixes only leave more
      if (rest > 0 && i > 0) return std::pair{name.substr(0, i), name.substr(i + 1)};
    }
    if (i == 0) return std::nullopt;
  }
}

std::string pax_record(std::string_view key, std::string_view value) {
  const std::size_t base = key.size() + value.size() + 3;  // ' ', '=', '\n'
  // The length counts its own digits: settle on a length whose digit count is stable.
  std::size_t len = base + 1;
  while (base + decimal_digits(len) != len) len = base + decimal_digits(len);
  std::string r = std::to_string(len);
  r += ' ';
  r += key;
  r += '=';
  r += value;
  r += '\n';
  return r;
}

Result<std::string> encode_tar_headers(const std::string& path, const LayerEntry& entry,
                                       std::int64_t mtime) {
  const bool dir = entry.type == LayerEntryType::kDirectory;
  const std::string name = dir ? path + "/" : path;
  const std::uint64_t size = entry.type == LayerEntryType::kRegular ? entry.size : 0;
  const bool has_link =
      entry.type == LayerEntryType::kSymlink || entry.type == LayerEntryType::kHardlink;
  if (mtime < 0 || static_cast<std::uint64_t>(mtime) > max_octal(kMtime.width)) {
    return invalid_argument("tar entry " + quote_path(path) + ": mtime " + std::to_string(mtime) +
                            " does not fit a ustar header");
  }
  if (entry.dev_major > max_octal(kDevmajor.width) ||
      entry.dev_minor > max_octal(kDevminor.width)) {
    return invalid_argument("tar entry " + quote_path(path) + ": device number " +
                            std::to_string(entry.dev_major) + "," +
                            std::to_string(entry.dev_minor) + " does not fit a ustar header");
  }

  // Records in key order; each only when its ustar field cannot hold the value.
  std::string pax;
  if (entry.gid > max_octal(kGid.width)) pax += pax_record("gid", std::to_string(entry.gid));
  if (has_link && entry.link_target.size() > kLinkname.width) {
    pax += pax_record("linkpath", entry.link_target);
  }
  const auto split = split_ustar_name(name);
  if (!split) pax += pax_record("path", name);
  if (size > max_octal(kSize.width)) pax += pax_record("size", std::to_string(size));
  if (entry.uid > max_octal(kUid.width)) pax += pax_record("uid", std::to_string(entry.uid));

  std::string out;
  if (!pax.empty()) {
    UstarBlock x;
    std::string base = path.substr(path.rfind('/') + 1);
    x.put_bytes(kName, "PaxHeaders/" + base);  // truncated to 100 bytes; readers ignore it
    x.put_octal(kMode, 0644);
    x.put_octal(kUid, 0);
    x.put_octal(kGid, 0);
    x.put_octal(kSize, pax.size());
    x.put_octal(kMtime, static_cast<std::uint64_t>(mtime));
    x.put_bytes(kTypeflag, "x");
    x.put_octal(kDevmajor, 0);
    x.put_octal(kDevminor, 0);
    out += x.finish();
    out += pax;
    out.append(tar_padding(pax.size()), '\0');
  }

  UstarBlock h;
  if (split) {
    h.put_bytes(kPrefix, split->first);
    h.put_bytes(kName, split->second);
  } else {
    h.put_bytes(kName, name);  // the first 100 bytes; the pax path is the real name
  }
  h.put_octal(kMode, entry.mode & 07777);
  h.put_octal(kUid, entry.uid > max_octal(kUid.width) ? 0 : entry.uid);
  h.put_octal(kGid, entry.gid > max_octal(kGid.width) ? 0 : entry.gid);
  h.put_octal(kSize, size > max_octal(kSize.width) ? 0 : size);
  h.put_octal(kMtime, static_cast<std::uint64_t>(mtime));
  h.put_bytes(kTypeflag, std::string(1, typeflag(entry.type)));
  if (has_link) h.put_bytes(kLinkname, entry.link_target);
  h.put_octal(kDevmajor, entry.dev_major);
  h.put_octal(kDevminor, entry.dev_minor);
  out += h.finish();
  return out;
}

}  // namespace ignite::oci
