#include "src/auth/jwt_verifier.h"

#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "builder/store/app_id.h"
#include "builder/util/quote.h"
#include "builder/util/wall_clock.h"
#include "src/auth/base64url.h"

namespace ignite::auth {
namespace {

using json = nlohmann::json;

Status refused(std::string why) { return Status(Code::kUnauthenticated, "token refused: " + why); }

// A claim's text for a message: at most 80 bytes of it, quoted safely.
std::string shown(std::string_view text) { return quote_text(text.substr(0, 80)); }

// A JSON object from one base64url part; `part` names it ("header", "payload").
Result<json> decoded_object(std::string_view encoded, std::string_view part) {
  auto bytes = base64url_decode(encoded);
  if (!bytes) return refused("its " + std::string(part) + " is not unpadded base64url");
  json value = json::parse(*bytes, nullptr, false);
  if (value.is_discarded() || !value.is_object()) {
    return refused("its " + std::string(part) + " is not a JSON object");
  }
  return value;
}

// A NumericDate (seconds since the epoch) as RFC 3339 when it is a date at all.
std::string time_text(const json& value) {
  const double seconds = value.get<double>();
  if (seconds >= 0 && seconds < 253402300800.0) {  // before the year 10000
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    char text[32];
    if (gmtime_r(&t, &tm) != nullptr && std::strftime(text, sizeof text, "%FT%TZ", &tm) > 0) {
      return text;
    }
  }
  return value.dump();
}

// A time claim: absent (nullopt), a number, or refused.
Result<std::optional<json>> time_claim(const json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end()) return std::optional<json>();
  if (!it->is_number()) return refused(std::string("\"") + name + "\" is not a number of seconds");
  return std::optional<json>(*it);
}

Status check_times(const json& payload, std::int64_t now, std::chrono::seconds leeway) {
  const double n = static_cast<double>(now), slack = static_cast<double>(leeway.count());
  IGNITE_ASSIGN_OR_RETURN(std::optional<json> exp, time_claim(payload, "exp"));
  if (!exp) return refused("it has no \"exp\" (every token here must expire)");
  if (n >= exp->get<double>() + slack) {
    return refused("it expired at " + time_text(*exp) + " (leeway " +
                   std::to_string(leeway.count()) + " s)");
  }
  IGNITE_ASSIGN_OR_RETURN(std::optional<json> nbf, time_claim(payload, "nbf"));
  if (nbf && n + slack < nbf->get<double>()) {
    return refused("it is not valid before " + time_text(*nbf));
  }
  IGNITE_ASSIGN_OR_RETURN(std::optional<json> iat, time_claim(payload, "iat"));
  if (iat && n + slack < iat->get<double>()) {
    return refused("it was issued in the future, at " + time_text(*iat));
  }
  return ok_status();
}

Status check_audience(const json& payload, const std::string& audience) {
  auto it = payload.find("aud");
  if (it == payload.end()) return refused("it has no \"aud\" (expected " + shown(audience) + ")");
  if (it->is_string()) {
    if (it->get_ref<const std::string&>() == audience) return ok_status();
    return refused("its audience is " + shown(it->get_ref<const std::string&>()) + ", not " +
                   shown(audience));
  }
  if (it->is_array()) {
    for (const json& a : *it) {
      if (a.is_string() && a.get_ref<const std::string&>() == audience) return ok_status();
    }
    return refused("its audiences do not include " + shown(audience));
  }
  return refused("its \"aud\" is neither a string nor an array of strings");
}

}  // namespace

Result<JwtVerifier> JwtVerifier::create(VerifierOptions options) {
  if (options.keys.empty()) return invalid_argument("no public key to check tokens with");
  if (options.audience.empty()) return invalid_argument("the tokens' audience is required");
  if (options.org_claim.empty()) return invalid_argument("the org claim's name is empty");
  if (options.leeway.count() < 0) return invalid_argument("the leeway is negative");
  std::set<std::string> kids;
  for (const PublicKey& key : options.keys) {
    if (!key.kid().empty() && !kids.insert(key.kid()).second) {
      return invalid_argument("two keys have kid " + shown(key.kid()) + ": a kid picks one key");
    }
  }
  return JwtVerifier(std::move(options));
}

std::int64_t JwtVerifier::now() const {
  if (options_.now) return options_.now();
  return unix_now_seconds();
}

Result<Caller> JwtVerifier::verify(std::string_view token) const {
  if (token.size() > kMaxTokenBytes) {
    return refused("it is longer than " + std::to_string(kMaxTokenBytes) + " bytes");
  }
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return refused("it is not a JWS in compact form (HEADER.PAYLOAD.SIGNATURE)");
  }
  IGNITE_ASSIGN_OR_RETURN(json header, decoded_object(token.substr(0, dot1), "header"));

  // The algorithm before anything else: it decides which keys may be used at all.
  auto alg_it = header.find("alg");
  if (alg_it == header.end() || !alg_it->is_string()) return refused("its header has no \"alg\"");
  const std::string alg = alg_it->get<std::string>();
  if (alg == "none" || alg == "None" || alg == "NONE") {
    return refused("alg none (an unsigned token) is never accepted");
  }
  if (alg != "RS256" && alg != "ES256") {
    return refused("alg " + shown(alg) + " is not accepted (RS256, ES256)");
  }
  if (header.contains("crit"))
    return refused("its header has \"crit\" extensions, none known here");
  const KeyType type = alg == "RS256" ? KeyType::kRsa : KeyType::kEc;

  auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!signature || signature->empty()) {
    return refused("its signature is empty or not unpadded base64url");
  }
  const std::string_view input = token.substr(0, dot2);

  // The key: the kid's, or any of the alg's type.
  auto kid_it = header.find("kid");
  if (kid_it != header.end()) {
    if (!kid_it->is_string()) return refused("its \"kid\" is not a string");
    const std::string& kid = kid_it->get_ref<const std::string&>();
    const PublicKey* key = nullptr;
    for (const PublicKey& k : options_.keys) {
      if (k.kid() == kid) key = &k;
    }
    if (key == nullptr) return refused("unknown kid " + shown(kid));
    if (key->type() != type) {
      return refused("key " + shown(kid) + " is for " + std::string(algorithm_of(key->type())) +
                     ", not " + alg);
    }
    if (!key->verifies(input, *signature)) {
      return refused("bad signature (not made by key " + shown(kid) + ")");
    }
  } else {
    int tried = 0;
    bool good = false;
    for (const PublicKey& k : options_.keys) {
      if (k.type() != type) continue;
      ++tried;
      if (k.verifies(input, *signature)) {
        good = true;
        break;
      }
    }
    if (tried == 0) return refused("no " + alg + " key is configured");
    if (!good) {
      return refused("bad signature (checked against " + std::to_string(tried) + " " + alg +
                     " key" + (tried == 1 ? "" : "s") + ")");
    }
  }

  // Signed by us: the claims are the issuer's now.
  IGNITE_ASSIGN_OR_RETURN(json payload,
                          decoded_object(token.substr(dot1 + 1, dot2 - dot1 - 1), "payload"));
  IGNITE_RETURN_IF_ERROR(check_times(payload, now(), options_.leeway));
  IGNITE_RETURN_IF_ERROR(check_audience(payload, options_.audience));
  auto org = payload.find(options_.org_claim);
  if (org == payload.end() || !org->is_string()) {
    return refused("its " + shown(options_.org_claim) +
                   " claim (the org it acts for) is missing or not a string");
  }
  const std::string& org_name = org->get_ref<const std::string&>();
  if (Status valid = store::validate_app_part(org_name, "organization"); !valid.ok()) {
    return refused("its " + shown(options_.org_claim) + " claim: " + valid.message());
  }
  Caller caller;
  caller.org = org_name;
  if (auto sub = payload.find("sub"); sub != payload.end() && sub->is_string()) {
    caller.subject = sub->get<std::string>();
  }
  return caller;
}

}  // namespace ignite::auth
