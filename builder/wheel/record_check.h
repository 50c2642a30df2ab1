// Checking a wheel's RECORD against what the wheel holds. The spec requires installers to
// check; pip does not. Each mismatch is one human-readable problem naming the path; the
// installer fails on them or turns them into warnings (RecordPolicy).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ignite::wheel {

// A file member as it was read from the zip.
struct MemberDigest {
  std::string hash;  // record_hash() of its bytes
  std::uint64_t size = 0;
};

// Every way `record_text` (the wheel's <dist_info>/RECORD) fails to describe `files` (every
// file member of the wheel, by name): a row that is not "path,hash,size", a path listed twice,
// a listed path the wheel lacks, a file not listed, a row without a hash or size, a hash that
// is not sha256, a hash or size that differs. RECORD itself and the signatures RECORD.jws and
// RECORD.p7s need neither be listed nor hashed. Empty when RECORD is right.
std::vector<std::string> record_problems(std::string_view record_text, std::string_view dist_info,
                                         const std::map<std::string, MemberDigest>& files);

}  // namespace ignite::wheel
