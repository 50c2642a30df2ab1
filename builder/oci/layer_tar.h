// Writes a LayerPlan as tar bytes, streaming: file contents are read from memory or from
// disk in bounded pieces, never whole.
#pragma once

#include "builder/oci/byte_sink.h"
#include "builder/oci/epoch.h"
#include "builder/oci/layer_plan.h"
#include "builder/util/status.h"

namespace ignite::oci {

// Every entry of `plan` in its (sorted) order, each stamped with `epoch` as mtime, then two
// zero blocks. Nothing else: no pad to a 10 KiB record, no global pax header.
// ABORTED when a file on disk changed (another inode, another size) since it was planned.
Status write_layer_tar(const LayerPlan& plan, Epoch epoch, ByteSink& out);

}  // namespace ignite::oci
