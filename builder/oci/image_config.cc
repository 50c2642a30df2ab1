#include "builder/oci/image_config.h"

#include "builder/oci/media_types.h"
#include "builder/util/json_codec.h"

namespace ignite::oci {
namespace {

constexpr std::string_view kWhat = "image config";

Status check_settings(const ImageSettings& s) {
  for (const auto& [name, value] : s.env) {
    if (name.empty() || name.find('=') != std::string::npos ||
        name.find('\0') != std::string::npos) {
      return invalid_argument("image settings: environment variable name \"" + name +
                              "\" must be non-empty and hold no '=' or NUL");
    }
  }
  if (s.exposed_ports) {
    for (const auto& port : *s.exposed_ports) {
      auto slash = port.find('/');
      std::string_view number = std::string_view(port).substr(0, slash);
      std::string_view proto = slash == std::string::npos
                                   ? std::string_view()
                                   : std::string_view(port).substr(slash + 1);
      bool digits = !number.empty() && number.size() <= 5 &&
                    number.find_first_not_of("0123456789") == std::string_view::npos;
      if (!digits || (proto != "tcp" && proto != "udp")) {
        return invalid_argument("image settings: exposed port \"" + port +
                                "\" must look like \"8080/tcp\" or \"53/udp\"");
      }
    }
  }
  return ok_status();
}

// Sets or removes config[key] as a string list.
void set_list(Json& config, const char* key, const std::vector<std::string>& v) {
  if (v.empty()) {
    config.erase(key);
  } else {
    config[key] = v;
  }
}

void apply_env(Json& config, const std::vector<std::pair<std::string, std::string>>& env) {
  if (env.empty()) return;
  Json list = config.contains("Env") && config["Env"].is_array() ? config["Env"] : Json::array();
  for (const auto& [name, value] : env) {
    const std::string line = name + "=" + value;
    bool replaced = false;
    for (auto& item : list) {
      if (item.is_string() && item.get<std::string>().starts_with(name + "=")) {
        item = line;
        replaced = true;
      }
    }
    if (!replaced) list.push_back(line);
  }
  config["Env"] = std::move(list);
}

std::size_t nonempty_history(const Json& history) {
  std::size_t n = 0;
  for (const auto& h : history) {
    auto e = h.find("empty_layer");
    if (!(e != h.end() && e->is_boolean() && e->get<bool>())) ++n;
  }
  return n;
}

}  // namespace

ImageSettings ImageSettings::for_function() {
  ImageSettings s;
  s.working_dir = "/app";
  s.user = "65532:65532";
  s.exposed_ports = std::vector<std::string>{"8080/tcp"};
  return s;
}

Result<std::string> derive_image_config(std::string_view base_config, const ImageSettings& settings,
                                        const std::vector<ConfigLayer>& layers, Epoch epoch) {
  IGNITE_RETURN_IF_ERROR(check_settings(settings));
  Json j = Json::object();
  if (base_config.empty()) {
    j["architecture"] = kArchitecture;
    j["os"] = kOs;
    j["rootfs"] = {{"type", "layers"}, {"diff_ids", Json::array()}};
    j["history"] = Json::array();
  } else {
    IGNITE_ASSIGN_OR_RETURN(j, parse_json_object(base_config, "base image config"));
    IGNITE_ASSIGN_OR_RETURN(ImageConfig base, parse_image_config(base_config));
    if (base.architecture != kArchitecture || base.os != kOs) {
      return failed_precondition("base image config: the base is " + base.os + "/" +
                                 base.architecture + ", but images are built for " +
                                 std::string(kOs) + "/" + std::string(kArchitecture));
    }
  }
  Json& config = j["config"];
  if (!config.is_object()) config = Json::object();
  apply_env(config, settings.env);
  if (settings.entrypoint) {
    set_list(config, "Entrypoint", *settings.entrypoint);
    if (!settings.cmd) config.erase("Cmd");
  }
  if (settings.cmd) set_list(config, "Cmd", *settings.cmd);
  if (settings.working_dir) {
    if (settings.working_dir->empty())
      config.erase("WorkingDir");
    else
      config["WorkingDir"] = *settings.working_dir;
  }
  if (settings.user) {
    if (settings.user->empty())
      config.erase("User");
    else
      config["User"] = *settings.user;
  }
  if (settings.exposed_ports) {
    config.erase("ExposedPorts");
    for (const auto& port : *settings.exposed_ports) config["ExposedPorts"][port] = Json::object();
  }
  if (!settings.labels.empty()) {
    Json& labels = config["Labels"];
    if (!labels.is_object()) labels = Json::object();
    for (const auto& [k, v] : settings.labels) labels[k] = v;
  }
  if (config.empty()) j.erase("config");

  j["created"] = epoch.rfc3339();
  Json& diff_ids = j["rootfs"]["diff_ids"];
  if (!diff_ids.is_array()) diff_ids = Json::array();
  Json& history = j["history"];
  if (!history.is_array()) history = Json::array();
  const bool history_matches = nonempty_history(history) == diff_ids.size();
  for (const auto& layer : layers) {
    diff_ids.push_back(layer.diff_id.to_string());
    if (!history_matches) continue;
    Json h = {{"created", epoch.rfc3339()}};
    if (!layer.created_by.empty()) h["created_by"] = layer.created_by;
    history.push_back(std::move(h));
  }
  if (history.empty()) j.erase("history");
  return canonical_json(j);
}

Result<ImageConfig> parse_image_config(std::string_view bytes) {
  IGNITE_ASSIGN_OR_RETURN(Json j, parse_json_object(bytes, kWhat));
  ImageConfig c;
  IGNITE_ASSIGN_OR_RETURN(c.architecture, json_string(j, "architecture", kWhat));
  IGNITE_ASSIGN_OR_RETURN(c.os, json_string(j, "os", kWhat));
  IGNITE_ASSIGN_OR_RETURN(c.created, json_optional_string(j, "created", kWhat));
  if (auto it = j.find("config"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return invalid_argument("image config: \"config\" is not an object");
    const Json& cfg = *it;
    constexpr std::string_view kCfg = "image config: config";
    IGNITE_ASSIGN_OR_RETURN(c.env, json_optional_strings(cfg, "Env", kCfg));
    IGNITE_ASSIGN_OR_RETURN(c.entrypoint, json_optional_strings(cfg, "Entrypoint", kCfg));
    IGNITE_ASSIGN_OR_RETURN(c.cmd, json_optional_strings(cfg, "Cmd", kCfg));
    IGNITE_ASSIGN_OR_RETURN(c.working_dir, json_optional_string(cfg, "WorkingDir", kCfg));
    IGNITE_ASSIGN_OR_RETURN(c.user, json_optional_string(cfg, "User", kCfg));
    IGNITE_ASSIGN_OR_RETURN(c.labels, json_optional_string_map(cfg, "Labels", kCfg));
    if (auto p = cfg.find("ExposedPorts"); p != cfg.end() && p->is_object()) {
      for (const auto& [port, ignored] : p->items()) c.exposed_ports.push_back(port);
    }
  }
  auto rootfs = j.find("rootfs");
  if (rootfs == j.end() || !rootfs->is_object()) {
    return invalid_argument("image config: field \"rootfs\" is missing or not an object");
  }
  IGNITE_ASSIGN_OR_RETURN(std::string type, json_string(*rootfs, "type", "image config: rootfs"));
  if (type != "layers") {
    return invalid_argument("image config: rootfs.type is \"" + type + "\", not \"layers\"");
  }
  IGNITE_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                          json_optional_strings(*rootfs, "diff_ids", "image config: rootfs"));
  for (const auto& id : ids) {
    auto d = Digest::parse(id);
    if (!d.ok()) return d.status().with_context("image config: rootfs.diff_ids");
    c.diff_ids.push_back(*d);
  }
  if (auto h = j.find("history"); h != j.end() && h->is_array()) {
    for (const auto& entry : *h) {
      if (!entry.is_object())
        return invalid_argument("image config: a history entry is not an object");
    }
    c.history_entries = h->size();
  }
  return c;
}

}  // namespace ignite::oci
