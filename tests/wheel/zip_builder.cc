#include "tests/wheel/zip_builder.h"

#include <zlib.h>

#include <cstdlib>

namespace ignite::testing {
namespace {

void put16(std::string& out, std::uint32_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& out, std::uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}

std::string raw_deflate(const std::string& data) {
  z_stream zs{};
  if (deflateInit2(&zs, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::string out(deflateBound(&zs, data.size()) + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace

std::string build_zip(const std::vector<ZipEntry>& entries, const ZipLayout& layout) {
  std::string out;
  std::vector<std::string> central_entries;
  for (const ZipEntry& e : entries) {
    const std::uint32_t crc = static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(e.data.data()), static_cast<uInt>(e.data.size())));
    const std::string body = e.deflate ? raw_deflate(e.data) : e.data;
    const std::uint32_t method = e.deflate ? 8 : 0;
    const std::uint32_t size = e.declared_size.value_or(static_cast<std::uint32_t>(e.data.size()));
    const std::string& local_name = e.local_name ? *e.local_name : e.name;
    const auto offset = static_cast<std::uint32_t>(out.size());
    // Local file header: "version needed" 2.0 on Unix.
    put32(out, 0x04034b50);
    put16(out, (3 << 8) | 20);
    put16(out, 0x0800);  // names are UTF-8
    put16(out, method);
    put16(out, 0);     // time
    put16(out, 0x21);  // date: 1980-01-01
    put32(out, crc);
    put32(out, static_cast<std::uint32_t>(body.size()));
    put32(out, size);
    put16(out, static_cast<std::uint32_t>(local_name.size()));
    put16(out, 0);
    out += local_name;
    out += body;
    // Central directory header.
    std::string c;
    put32(c, 0x02014b50);
    put16(c, (3 << 8) | 20);  // made by Unix
    put16(c, layout.zip64 ? 45 : 20);
    put16(c, 0x0800);
    put16(c, method);
    put16(c, 0);
    put16(c, 0x21);
    put32(c, crc);
    std::string extra;
    if (layout.zip64) {
      put16(extra, 1);
      put16(extra, 24);
      put32(extra, size);
      put32(extra, 0);
      put32(extra, static_cast<std::uint32_t>(body.size()));
      put32(extra, 0);
      put32(extra, offset);
      put32(extra, 0);
    }
    put32(c, layout.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(body.size()));
    put32(c, layout.zip64 ? 0xFFFFFFFF : size);
    put16(c, static_cast<std::uint32_t>(e.name.size()));
    put16(c, static_cast<std::uint32_t>(extra.size()));
    put16(c, 0);  // comment
    put16(c, 0);  // disk
    put16(c, 0);  // internal attributes
    put32(c, (e.mode << 16) | ((e.mode & 0170000) == 040000 ? 0x10 : 0));
    put32(c, layout.zip64 ? 0xFFFFFFFF : offset);
    c += e.name;
    c += extra;
    central_entries.push_back(std::move(c));
  }
  std::string central;
  if (layout.central_order.empty()) {
    for (const std::string& c : central_entries) central += c;
  } else {
    for (std::size_t i : layout.central_order) central += central_entries.at(i);
  }
  const auto central_offset = static_cast<std::uint32_t>(out.size());
  out += central;
  const auto count = static_cast<std::uint32_t>(entries.size());
  if (layout.zip64) {
    const auto record_at = static_cast<std::uint32_t>(out.size());
    put32(out, 0x06064b50);
    put32(out, 44);  // size of the rest of the record
    put32(out, 0);
    put16(out, (3 << 8) | 45);
    put16(out, 45);
    put32(out, 0);  // this disk
    put32(out, 0);  // directory's disk
    put32(out, count);
    put32(out, 0);
    put32(out, count);
    put32(out, 0);
    put32(out, static_cast<std::uint32_t>(central.size()));
    put32(out, 0);
    put32(out, central_offset);
    put32(out, 0);
    put32(out, 0x07064b50);  // locator
    put32(out, 0);
    put32(out, record_at);
    put32(out, 0);
    put32(out, 1);
  }
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, layout.zip64 ? 0xFFFF : count);
  put16(out, layout.zip64 ? 0xFFFF : count);
  put32(out, layout.zip64 ? 0xFFFFFFFF : static_cast<std::uint32_t>(central.size()));
  put32(out, layout.zip64 ? 0xFFFFFFFF : central_offset);
  put16(out, 0);
  return out;
}

}  // namespace ignite::testing
