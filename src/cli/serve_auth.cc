#include "src/cli/serve_auth.h"

namespace ignite::cli {
namespace {

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

}  // namespace

const std::vector<FlagSpec> kServeAuthFlags = {{"--auth-keys", "", true},
                                               {"--auth-jwks", "", true},
                                               {"--auth-audience", "", true},
                                               {"--auth-org-claim", "", true}};

const std::string kServeAuthUsage =
    "  auth (docs/auth.md): every call needs \"Authorization: Bearer <JWT>\", signed RS256 or\n"
    "  ES256 by one of the keys, and sees only the org of its org claim:\n"
    "  --auth-keys FILE[,FILE...]  PEM public keys (kid: the file's name without .pem)\n"
    "  --auth-jwks FILE            a JWKS file of public keys (with --auth-keys or instead)\n"
    "  --auth-audience AUD         the audience tokens must name (required with keys)\n"
    "  --auth-org-claim NAME       the claim naming the caller's org (default org)\n"
    "  Without keys: development mode, no tokens, allowed only when --listen and --http are\n"
    "  loopback addresses (127.0.0.0/8, ::1, localhost).\n";

Result<ServeAuth> serve_auth_from(const Args& args, const std::vector<std::string>& listen) {
  const bool keys = args.has("--auth-keys") || args.has("--auth-jwks");
  if (!keys) {
    if (args.has("--auth-audience") || args.has("--auth-org-claim")) {
      return invalid_argument(
          "--auth-audience and --auth-org-claim need the keys tokens are checked with "
          "(--auth-keys FILE[,FILE...] or --auth-jwks FILE)");
    }
    for (const std::string& address : listen) {
      if (!auth::is_loopback_listen(address)) {
        return failed_precondition(
            "serve will not listen on " + address +
            " without auth: anyone who reaches it could build and publish for every org. "
            "Give the keys tokens are checked with (--auth-keys FILE[,FILE...] or --auth-jwks "
            "FILE, and --auth-audience AUD; docs/auth.md), or listen on loopback "
            "(127.0.0.1, ::1, localhost) for development");
      }
    }
    return ServeAuth{auth::Authenticator::development(),
                     "auth: none (development mode, loopback only: no tokens, every caller sees "
                     "every org)"};
  }
  auth::VerifierOptions options;
  options.audience = args.value_or("--auth-audience", "");
  if (options.audience.empty()) {
    return invalid_argument("--auth-audience AUD is required with --auth-keys or --auth-jwks");
  }
  options.org_claim = args.value_or("--auth-org-claim", "org");
  if (args.has("--auth-keys")) {
    for (const std::string& path : split_commas(args.value_or("--auth-keys", ""))) {
      if (path.empty()) return invalid_argument("--auth-keys has an empty file name");
      auto key = auth::read_pem_key_file(path);
      if (!key.ok()) return key.status().with_context("--auth-keys");
      options.keys.push_back(std::move(*key));
    }
  }
  if (args.has("--auth-jwks")) {
    auto jwks = auth::read_jwks_file(args.value_or("--auth-jwks", ""));
    if (!jwks.ok()) return jwks.status().with_context("--auth-jwks");
    for (auto& key : *jwks) options.keys.push_back(std::move(key));
  }
  const std::string mode = "auth: JWT (RS256, ES256) with " + std::to_string(options.keys.size()) +
                           " key" + (options.keys.size() == 1 ? "" : "s") + ", audience " +
                           options.audience + ", org claim " + options.org_claim;
  auto verifier = auth::JwtVerifier::create(std::move(options));
  if (!verifier.ok()) return verifier.status().with_context("serve's auth");
  return ServeAuth{auth::Authenticator::with_tokens(std::move(*verifier)), mode};
}

}  // namespace ignite::cli
