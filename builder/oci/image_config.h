// The OCI image config (image-spec config.md): derived from a base image's config, or made
// from nothing, with canonical bytes; and parsed back for reading and verification.
//
// Config bytes (the config digest covers exactly these), keys sorted, no whitespace:
//   {"architecture":"amd64",
//    "config":{"Cmd":[..],"Entrypoint":[..],"Env":["K=V",..],"ExposedPorts":{"8080/tcp":{}},
//              "Labels":{..},"User":"65532:65532","WorkingDir":"/app", <base's other keys>},
//    "created":"<epoch as RFC 3339>",
//    "history":[{"created":"<epoch>","created_by":".."},..],
//    "os":"linux",
//    "rootfs":{"diff_ids":["sha256:.."..],"type":"layers"},
//    <base's other keys>}
// Empty lists and maps are left out of "config". Nothing reads the clock: every timestamp is
// the epoch.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "builder/oci/epoch.h"
#include "builder/util/digest.h"
#include "builder/util/status.h"

namespace ignite::oci {

// What a new image changes in its base's config. Fields left unset keep the base's value.
struct ImageSettings {
  // Set or override variables, in this order; an override keeps the base's position.
  std::vector<std::pair<std::string, std::string>> env;
  // Setting the entrypoint also clears the base's Cmd unless `cmd` is set too (as a
  // Dockerfile ENTRYPOINT does). An empty list removes the field.
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::optional<std::string> working_dir;
  std::optional<std::string> user;
  std::optional<std::vector<std::string>> exposed_ports;  // replaces the base's, e.g. "8080/tcp"
  std::map<std::string, std::string> labels;              // added to the base's, overriding
  std::map<std::string, std::string> annotations;         // manifest annotations, not config

  // The function image's fixed settings (docs/oci-images.md, "Image config"): WorkingDir "/app",
  // User "65532:65532", ExposedPorts {"8080/tcp"}. The caller adds env, entrypoint, labels and
  // annotations.
  static ImageSettings for_function();
};

// One layer added on top of the base: its diff_id and the history line describing it.
struct ConfigLayer {
  Digest diff_id;
  std::string created_by;  // e.g. "ignite-builder 0.1.0: app layer (codeHash sha256:..)"
};

// The canonical config bytes of a new image: `base_config` (the bytes of the base's config,
// or "" to start from nothing) with `settings` applied, `layers` appended to rootfs.diff_ids,
// `created` set to the epoch, and one history entry per added layer when the base's history
// matches its layers (a base without history gets none added: history is optional and a
// partial one would misalign). FAILED_PRECONDITION when the base is not linux/amd64.
Result<std::string> derive_image_config(std::string_view base_config, const ImageSettings& settings,
                                        const std::vector<ConfigLayer>& layers, Epoch epoch);

// The fields of a config this module reads back.
struct ImageConfig {
  std::string architecture;
  std::string os;
  std::string created;
  std::vector<std::string> env;
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string working_dir;
  std::string user;
  std::vector<std::string> exposed_ports;
  std::map<std::string, std::string> labels;
  std::vector<Digest> diff_ids;
  std::size_t history_entries = 0;
};

Result<ImageConfig> parse_image_config(std::string_view bytes);

}  // namespace ignite::oci
