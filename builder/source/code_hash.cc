#include "builder/source/code_hash.h"

namespace ignite {

std::string code_hash_input(const SourceTree& tree) {
  std::string out;
  for (const auto& [path, entry] : tree.entries()) {
    out += entry_kind_letter(entry.kind);
    out += ' ';
    out += sha256_hex(entry.data);
    out += ' ';
    out += path;
    out += '\n';
  }
  return out;
}

Digest code_hash(const SourceTree& tree) { return Digest::of(code_hash_input(tree)); }

}  // namespace ignite
