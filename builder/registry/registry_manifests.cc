// Manifest and tag operations of RegistryClient.
#include <nlohmann/json.hpp>
#include <set>

#include "builder/registry/image_reference.h"
#include "builder/registry/link_header.h"
#include "builder/registry/registry_session.h"

namespace ignite::registry {
namespace {

using Session = RegistryClient::Session;

// Upper bound on tag list pages, against a registry whose Link loops.
constexpr int kMaxTagPages = 100000;

std::string manifest_path(std::string_view repository, std::string_view reference) {
  return "/v2/" + std::string(repository) + "/manifests/" + std::string(reference);
}

// "application/vnd.oci.image.manifest.v1+json; charset=utf-8" -> the type alone.
std::string media_type_of(const std::optional<std::string>& content_type) {
  if (!content_type) return "";
  std::string t = content_type->substr(0, content_type->find(';'));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}

Status check_reference(std::string_view repository, std::string_view reference) {
  IGNITE_RETURN_IF_ERROR(validate_repository(repository));
  if (reference.find(':') != std::string_view::npos) return Digest::parse(reference).status();
  return validate_tag(reference);
}

}  // namespace

Result<std::optional<oci::Descriptor>> RegistryClient::head_manifest(std::string_view repository,
                                                                     std::string_view reference) {
  const std::string what =
      "looking up manifest " + std::string(reference) + " in " + s_->where(repository);
  IGNITE_RETURN_IF_ERROR(check_reference(repository, reference));
  IGNITE_RETURN_IF_ERROR(s_->probe());
  bool digest_unsaid = false;
  auto found = s_->with_retries(what, [&]() -> Result<std::optional<oci::Descriptor>> {
    net::HttpRequest request;
    request.method = "HEAD";
    request.url = s_->url(manifest_path(repository, reference));
    request.headers = {"Accept: " + std::string(kManifestAccept)};
    IGNITE_ASSIGN_OR_RETURN(net::HttpResponse response,
                            s_->send(request, s_->read_scopes(repository)));
    if (response.status == 404) return std::optional<oci::Descriptor>();
    if (response.status != 200) return s_->response_error(response, "HEAD manifest");
    const std::optional<std::string> digest = response.header("docker-content-digest");
    digest_unsaid = !digest.has_value();
    if (digest_unsaid) return std::optional<oci::Descriptor>();  // asked below with a GET
    IGNITE_ASSIGN_OR_RETURN(Digest parsed, Digest::parse(*digest));
    oci::Descriptor d{media_type_of(response.header("content-type")), parsed, 0, {}, {}};
    const std::string length = response.header("content-length").value_or("0");
    d.size = std::atoll(length.c_str());
    return std::optional<oci::Descriptor>(d);
  });
  if (!found.ok()) return s_->scrub(found.status().with_context(what));
  if (!digest_unsaid) return found;
  // A registry that does not say the digest on HEAD: the bytes tell it.
  auto fetched = get_manifest(repository, reference);
  if (!fetched.ok()) {
    if (fetched.status().code() == Code::kNotFound) return std::optional<oci::Descriptor>();
    return fetched.status();
  }
  return std::optional<oci::Descriptor>(
      oci::Descriptor{fetched->media_type,
                      fetched->digest,
                      static_cast<std::int64_t>(fetched->bytes.size()),
                      {},
                      {}});
}

Result<FetchedManifest> RegistryClient::get_manifest(std::string_view repository,
                                                     std::string_view reference) {
  const std::string what =
      "fetching manifest " + std::string(reference) + " from " + s_->where(repository);
  IGNITE_RETURN_IF_ERROR(check_reference(repository, reference));
  IGNITE_RETURN_IF_ERROR(s_->probe());
  auto fetched = s_->with_retries(what, [&]() -> Result<FetchedManifest> {
    net::HttpRequest request;
    request.url = s_->url(manifest_path(repository, reference));
    request.headers = {"Accept: " + std::string(kManifestAccept)};
    IGNITE_ASSIGN_OR_RETURN(net::HttpResponse response,
                            s_->send(request, s_->read_scopes(repository)));
    if (response.status != 200) return s_->response_error(response, "GET manifest");
    FetchedManifest m{media_type_of(response.header("content-type")), std::move(response.body),
                      Digest::of("")};
    m.digest = Digest::of(m.bytes);
    if (auto said = response.header("docker-content-digest");
        said && *said != m.digest.to_string()) {
      return data_loss("the registry says the manifest is " + *said + ", its bytes hash to " +
                       m.digest.to_string());
    }
    if (reference.find(':') != std::string_view::npos && m.digest.to_string() != reference) {
      return data_loss("the manifest's bytes hash to " + m.digest.to_string());
    }
    return m;
  });
  if (!fetched.ok()) return s_->scrub(fetched.status().with_context(what));
  return fetched;
}

Status RegistryClient::put_manifest(std::string_view repository, std::string_view reference,
                                    std::string_view media_type, std::string_view bytes) {
  const Digest digest = Digest::of(bytes);
  const std::string what =
      "pushing manifest " + digest.to_string() +
      (reference == digest.to_string() ? "" : " as " + std::string(reference)) + " to " +
      s_->where(repository);
  IGNITE_RETURN_IF_ERROR(check_reference(repository, reference));
  if (reference.find(':') != std::string_view::npos && reference != digest.to_string()) {
    return invalid_argument(what + ": the reference is another digest");
  }
  IGNITE_RETURN_IF_ERROR(s_->probe());
  auto pushed = s_->with_retries(what, [&]() -> Result<Digest> {
    net::HttpRequest request;
    request.method = "PUT";
    request.url = s_->url(manifest_path(repository, reference));
    request.headers = {"Content-Type: " + std::string(media_type)};
    request.body = std::string(bytes);
    IGNITE_ASSIGN_OR_RETURN(net::HttpResponse response,
                            s_->send(request, {push_scope(repository)}));
    if (response.status != 201) return s_->response_error(response, "PUT manifest");
    if (auto stored = response.header("docker-content-digest");
        stored && *stored != digest.to_string()) {
      return data_loss("the registry stored it as " + *stored);
    }
    return digest;
  });
  if (!pushed.ok()) return s_->scrub(pushed.status().with_context(what));
  ++s_->counters.manifests_pushed;
  s_->log("pushed manifest " + digest.to_string() +
          (reference == digest.to_string() ? "" : " as " + std::string(reference)) + " to " +
          s_->where(repository));
  return ok_status();
}

Result<std::vector<std::string>> RegistryClient::list_tags(std::string_view repository) {
  const std::string what = "listing tags of " + s_->where(repository);
  IGNITE_RETURN_IF_ERROR(validate_repository(repository));
  IGNITE_RETURN_IF_ERROR(s_->probe());
  std::vector<std::string> tags;
  std::set<std::string> seen_pages;
  std::string url = s_->url("/v2/" + std::string(repository) +
                            "/tags/list?n=" + std::to_string(s_->options.tags_page_size));
  for (int page = 0; page < kMaxTagPages && seen_pages.insert(url).second; ++page) {
    auto answer = s_->with_retries(what, [&]() -> Result<net::HttpResponse> {
      net::HttpRequest request;
      request.url = url;
      IGNITE_ASSIGN_OR_RETURN(net::HttpResponse response,
                              s_->send(request, s_->read_scopes(repository)));
      if (response.status != 200 && response.status != 404) {
        return s_->response_error(response, "GET tags");
      }
      return response;
    });
    if (!answer.ok()) return s_->scrub(answer.status().with_context(what));
    if (answer->status == 404) {
      // NAME_UNKNOWN: a repository nothing was pushed to yet has no tags.
      if (answer->body.find("NAME_UNKNOWN") != std::string::npos) return tags;
      return s_->response_error(*answer, what);
    }
    const nlohmann::json doc =
        nlohmann::json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
      return Status(Code::kUnknown, what + ": the answer is not a JSON object");
    }
    if (doc.contains("tags") && doc["tags"].is_array()) {
      for (const auto& t : doc["tags"]) {
        if (t.is_string()) tags.push_back(t.get<std::string>());
      }
    }
    const std::optional<std::string> link = answer->header("link");
    const std::optional<std::string> next = link ? next_page_link(*link) : std::nullopt;
    if (!next) {
      s_->log("listed " + std::to_string(tags.size()) + " tags of " + s_->where(repository) +
              " in " + std::to_string(page + 1) + (page == 0 ? " page" : " pages"));
      return tags;
    }
    // Against the URL that answered (the first page's may have moved to another scheme).
    IGNITE_ASSIGN_OR_RETURN(url, net::resolve_url(answer->url.empty() ? url : answer->url, *next));
  }
  return tags;
}

}  // namespace ignite::registry
