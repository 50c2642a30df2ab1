// RECORD: the CSV list of a wheel's files (and, once installed, of the installed files), one
// "path,sha256=<urlsafe base64 without padding>,size" row per file, quoted as Python's csv
// module quotes (excel dialect: '"' around a field holding ',', '"' or a line break, with '"'
// doubled inside).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "builder/util/sha256.h"
#include "builder/util/status.h"

namespace ignite::wheel {

struct RecordRow {
  std::vector<std::string> fields;  // path, hash, size when well formed
  std::size_t line = 0;             // 1-based, for messages
};

// Reads CSV as Python's csv.reader does with the default dialect: '\n', '\r\n' or '\r' ends a
// row outside quotes; text after a closing quote joins the field; empty lines are skipped.
// INVALID_ARGUMENT for a quote left open at the end.
Result<std::vector<RecordRow>> parse_record_csv(std::string_view text);

// "sha256=" and the digest in urlsafe base64 without '=' padding (the RECORD hash form).
std::string record_hash(const Sha256Bytes& digest);

struct InstalledRow {
  std::string path;
  std::string hash;  // "" for RECORD, INSTALLER and REQUESTED
  std::string size;  // decimal; "" with an empty hash
};

// The RECORD text: rows sorted by path (bytewise), fields quoted as csv.writer would, "\n"
// after each row.
std::string write_record(std::vector<InstalledRow> rows);

}  // namespace ignite::wheel
