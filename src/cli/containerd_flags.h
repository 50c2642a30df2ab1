// --containerd SOCKET [--namespace NS], taken by `import` and `build`, and how an import is
// reported (docs/containerd.md).
#pragma once

#include <iosfwd>
#include <optional>

#include <nlohmann/json_fwd.hpp>

#include "builder/containerd/containerd_connection.h"
#include "builder/containerd/image_import.h"
#include "src/cli/args.h"

namespace ignite::cli {

inline const FlagSpec kContainerdFlag{"--containerd", "", true};
inline const FlagSpec kNamespaceFlag{"--namespace", "", true};

inline constexpr const char* kContainerdFlagsUsage =
    "  --containerd SOCKET  containerd's gRPC socket (its grpc.address, e.g.\n"
    "                       /run/containerd/containerd.sock); --namespace NS (default "
    "\"default\")\n";

// nullopt without --containerd; INVALID_ARGUMENT for --namespace without it, or a namespace
// containerd would refuse.
Result<std::optional<containerd::ContainerdTarget>> containerd_target_from(const Args& args);

// The "containerd" object of -o json, and the text lines.
nlohmann::json containerd_json(const containerd::ContainerdTarget& target,
                               const containerd::ImportResult& result);
void print_containerd_text(std::ostream& out, const containerd::ImportResult& result);

}  // namespace ignite::cli
