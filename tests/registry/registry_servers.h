// Real servers for the registry client's tests, all on loopback: Debian's docker-registry
// (distribution 2.8.2) with its own config and storage, the token issuer and the fault proxy
// (Python scripts beside this file), and a test PKI made with the openssl CLI.
//
// Each object owns its process (tests/testing/child_process.h): SIGTERM and wait when it goes
// away, and PR_SET_PDEATHSIG so a crashed test program leaves no server behind. They are slow to
// make (a second or so), so each test program makes them once and shares them (see shared()).
#pragma once

#include <sys/types.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/testing/child_process.h"
#include "tests/testing/temp_dir.h"

namespace ignite::registry::testing {

// Debian's python3 (with python3-cryptography), not whichever python3 PATH finds first.
inline constexpr const char* kPython = "/usr/bin/python3";
inline constexpr const char* kRegistryBinary = "/usr/bin/docker-registry";

using ignite::testing::ChildProcess;
// What ChildProcess says when a server's binary is missing.
inline constexpr const char* kInstallHint =
    "run scripts/install-deps (Debian packages docker-registry, python3-cryptography, "
    "apache2-utils, openssl, skopeo)";

// A CA with a server certificate for 127.0.0.1 and localhost, and a token-signing key with its
// self-signed certificate.
struct TestPki {
  explicit TestPki(const std::string& dir);
  std::string ca_cert, server_cert, server_key, token_cert, token_key;
  std::string cert_dir;  // holds ca.crt only: skopeo --cert-dir
};

struct RegistryConfig {
  std::string htpasswd;  // a bcrypt htpasswd file: Basic auth
  // Token auth: realm URL, and the certificate whose key signs the tokens.
  std::string token_realm, token_cert;
  std::string tls_cert, tls_key;  // TLS
};
inline constexpr const char* kTokenService = "ignite-test-registry";
inline constexpr const char* kTokenIssuer = "ignite-test-issuer";

class RegistryServer {
 public:
  // docker-registry takes its address from its config, so it cannot bind port 0 and report the
  // port: it is given a port that was free a moment ago and, when another process took that port
  // in between (tests run in parallel), started again on a new one. `first_port`, when not 0, is
  // the port of the first attempt (a test of the retry holds it).
  explicit RegistryServer(const RegistryConfig& config, int first_port = 0);
  const std::string& host() const { return host_; }  // "127.0.0.1:PORT"
  const std::string& storage() const { return storage_; }
  // The digests (hex) of the blobs in storage: every layer, config and manifest.
  std::set<std::string> blob_files() const;
  // The blob files stored since `before` (a blob_files() reading).
  std::set<std::string> blobs_added_since(const std::set<std::string>& before) const;
  // Whether the storage holds tag `tag` of `repository` (read from disk, not over HTTP).
  bool has_tag(const std::string& repository, const std::string& tag) const;
  const std::string& log_path() const { return log_; }

 private:
  enum class Start { kListening, kAddressInUse, kFailed };
  Start start(const RegistryConfig& config, int port);

  ignite::testing::TempDir dir_;
  std::string host_, storage_, log_;
  std::unique_ptr<ChildProcess> process_;
};

// A Python server from this directory that writes its port to a ready file.
class ScriptServer {
 public:
  ScriptServer(const std::string& script, std::vector<std::string> args);
  const std::string& host() const { return host_; }
  // GET or POST (when `body` is not empty) http://HOST/PATH; the body of a 200 answer.
  std::string call(const std::string& path, const std::string& body = "") const;

 private:
  ignite::testing::TempDir dir_;
  std::string host_;
  std::unique_ptr<ChildProcess> process_;
};

// htpasswd -B: a bcrypt password file with one user.
std::string make_htpasswd(const ignite::testing::TempDir& dir, const std::string& user,
                          const std::string& password);

// Runs a shell command with stderr folded in; returns its exit code and fills `out`.
int run(const std::string& command, std::string* out);

}  // namespace ignite::registry::testing
