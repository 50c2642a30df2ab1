#include "builder/python/requirements_file_decode.h"

#include <cstdint>
#include <optional>

#include "builder/python/ascii_text.h"
#include "builder/util/utf8.h"

namespace ignite::python {
namespace {

enum class Encoding { kUtf8, kLatin1, kAscii };


Status not_valid(std::string_view name, std::string_view encoding, std::size_t offset) {
  return invalid_argument(quote_text(name) + " is not valid " + std::string(encoding) +
                          " (at byte " + std::to_string(offset) +
                          "); save it as UTF-8 or declare its encoding with a first line "
                          "such as '# -*- coding: latin-1 -*-'");
}

// UTF-16 or UTF-32 after its byte order mark.
Result<std::string> decode_wide(std::string_view data, std::size_t width, bool big_endian,
                                std::string_view name, std::size_t bom_size) {
  std::string_view encoding = width == 2 ? (big_endian ? "UTF-16-BE" : "UTF-16-LE")
                                         : (big_endian ? "UTF-32-BE" : "UTF-32-LE");
  auto unit = [&](std::size_t i) {
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < width; ++k) {
      std::uint32_t byte = static_cast<unsigned char>(data[i + (big_endian ? k : width - 1 - k)]);
      v = (v << 8) | byte;
    }
    return v;
  };
  if (data.size() % width != 0) return not_valid(name, encoding, bom_size + data.size());
  std::string out;
  for (std::size_t i = 0; i < data.size(); i += width) {
    std::uint32_t cp = unit(i);
    if (width == 2 && cp >= 0xD800 && cp <= 0xDBFF && i + 2 < data.size()) {
      std::uint32_t low = unit(i + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        i += 2;
      }
    }
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return not_valid(name, encoding, bom_size + i);
    }
    append_utf8(out, cp);
  }
  return out;
}

// Python's codec name lookup for the encodings understood here.
std::optional<Encoding> lookup_encoding(std::string_view declared) {
  std::string n;
  for (char c : declared) n += (c == '-' || c == ' ') ? '_' : ascii_lower_char(c);
  for (std::string_view alias :
       {"utf_8", "utf8", "u8", "utf", "utf8_ucs2", "utf8_ucs4", "cp65001", "utf_8_sig"}) {
    if (n == alias) return Encoding::kUtf8;
  }
  for (std::string_view alias : {"latin_1", "latin1", "latin", "l1", "iso8859_1", "iso_8859_1",
                                 "8859", "cp819", "iso_ir_100", "csisolatin1", "iso_8859_1:1987"}) {
    if (n == alias) return Encoding::kLatin1;
  }
  for (std::string_view alias :
       {"ascii", "us_ascii", "646", "us", "ansi_x3.4_1968", "ansi_x3.4_1986", "iso646_us", "cp367",
        "csascii", "ibm367", "iso_646.irv:1991", "iso_ir_6"}) {
    if (n == alias) return Encoding::kAscii;
  }
  return std::nullopt;
}

// The encoding a PEP 263 line declares: '#' first, then "coding[:=]\s*([-\w.]+)".
std::optional<std::string_view> declared_encoding(std::string_view line) {
  if (line.empty() || line[0] != '#') return std::nullopt;
  for (std::size_t at = line.find("coding"); at != std::string_view::npos;
       at = line.find("coding", at + 1)) {
    std::size_t i = at + 6;
    if (i >= line.size() || (line[i] != ':' && line[i] != '=')) continue;
    ++i;
    while (i < line.size() && (line[i] == ' ' || (line[i] >= '\t' && line[i] <= '\r'))) ++i;
    std::size_t start = i;
    while (i < line.size() &&
           (is_ascii_alnum(line[i]) || line[i] == '_' || line[i] == '-' || line[i] == '.')) {
      ++i;
    }
    if (i > start) return line.substr(start, i - start);
  }
  return std::nullopt;
}

}  // namespace

Result<std::string> decode_requirements_file(std::string_view bytes, std::string_view name) {
  auto starts = [&](std::string_view bom) { return bytes.starts_with(bom); };
  using namespace std::string_view_literals;
  if (starts("\xEF\xBB\xBF"sv)) {
    std::string_view rest = bytes.substr(3);
    if (auto bad = find_invalid_utf8(rest)) return not_valid(name, "UTF-8", 3 + *bad);
    return std::string(rest);
  }
  if (starts("\xFF\xFE\x00\x00"sv)) return decode_wide(bytes.substr(4), 4, false, name, 4);
  if (starts("\x00\x00\xFE\xFF"sv)) return decode_wide(bytes.substr(4), 4, true, name, 4);
  if (starts("\xFF\xFE"sv)) return decode_wide(bytes.substr(2), 2, false, name, 2);
  if (starts("\xFE\xFF"sv)) return decode_wide(bytes.substr(2), 2, true, name, 2);

  std::optional<Encoding> encoding;
  std::size_t line_start = 0;
  for (int line = 0; line < 2 && line_start <= bytes.size(); ++line) {
    std::size_t end = bytes.find('\n', line_start);
    if (end == std::string_view::npos) end = bytes.size();
    if (std::optional<std::string_view> declared =
            declared_encoding(bytes.substr(line_start, end - line_start))) {
      encoding = lookup_encoding(*declared);
      if (!encoding) {
        return invalid_argument(quote_text(name) + " declares the encoding " +
                                quote_text(*declared) +
                                ", which is not supported (use UTF-8, Latin-1 or ASCII)");
      }
      break;
    }
    line_start = end + 1;
  }
  switch (encoding.value_or(Encoding::kUtf8)) {
    case Encoding::kUtf8:
      if (auto bad = find_invalid_utf8(bytes)) return not_valid(name, "UTF-8", *bad);
      return std::string(bytes);
    case Encoding::kAscii:
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (static_cast<unsigned char>(bytes[i]) >= 0x80) return not_valid(name, "ASCII", i);
      }
      return std::string(bytes);
    case Encoding::kLatin1: {
      std::string out;
      for (char c : bytes) append_utf8(out, static_cast<unsigned char>(c));
      return out;
    }
  }
  return std::string(bytes);
}

}  // namespace ignite::python
