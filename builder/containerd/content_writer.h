// Puts one blob into containerd's content store, as containerd's own client does:
//
//   Info      present already -> nothing is sent (the blob is added to the lease so the
//             garbage collector keeps it until the image record refers to it)
//   Write     one stream: STAT (an interrupted ingest of the same ref resumes at its offset),
//             WRITE the rest in messages of at most 1 MiB, COMMIT with the size and the
//             expected digest; containerd hashes what it got and refuses a mismatch;
//             AlreadyExists (another writer won) is success
//
// Everything runs under `lease` (none when empty), so a crash leaves nothing the collector will
// not reclaim.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "builder/containerd/containerd_connection.h"
#include "builder/oci/descriptor.h"
#include "builder/util/status.h"

namespace ignite::containerd {

inline constexpr std::size_t kWriteChunkBytes = 1 << 20;  // containerd's own client's size

struct BlobWrite {
  bool written = false;         // false: containerd had it
  std::int64_t bytes_sent = 0;  // what this call sent (less than the size when it resumed)
};

// Writes the blob `blob` whose bytes are the file `path`, with `labels` on it (set with the
// commit, or updated on a blob containerd already had). The file is sent as it is: containerd
// checks it against blob.digest and blob.size, and its refusal is returned naming the blob.
Result<BlobWrite> write_blob(ContainerdConnection& connection, std::string_view lease,
                             const oci::Descriptor& blob, const std::string& path,
                             const std::map<std::string, std::string>& labels = {});

}  // namespace ignite::containerd
