#include "builder/verify/locked_wheels.h"

#include <sys/stat.h>

#include <functional>
#include <optional>

#include "builder/index/http_client.h"
#include "builder/index/index_source.h"
#include "builder/index/simple_page.h"
#include "builder/util/file_io.h"
#include "builder/util/sha256.h"

namespace ignite::verify {
namespace {

constexpr std::string_view kStoreCache = "the store's wheel cache";

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// Asks each source in turn for one wheel's bytes; remembers why each had none.
class Gatherer {
 public:
  Gatherer(const WheelSources& sources, const index::ContentCache& into)
      : sources_(sources), store_cache_(sources.store_cache_dir), into_(into) {}

  Result<GatheredWheels> run(const std::vector<index::InstallItem>& items) {
    for (const index::InstallItem& item : items) {
      IGNITE_RETURN_IF_ERROR(gather(*item.package, *item.wheel));
    }
    return std::move(out_);
  }

 private:
  // One place: `origin` counts it in GatheredWheels::origins, `where` names it in a missing
  // wheel's line.
  struct Place {
    std::string origin;
    std::string where;
    std::function<Result<std::string>()> read;  // the bytes, or why there are none
  };

  // The wheel into `into_`, or a line of out_.missing.
  Status gather(const index::LockedPackage& package, const index::LockedWheel& wheel) {
    std::vector<std::string> tried;
    for (const Place& place : places(package, wheel)) {
      auto bytes = place.read();
      if (!bytes.ok()) {
        tried.push_back(place.where + " (" + bytes.status().message() + ")");
        continue;
      }
      const std::string actual = sha256_hex(*bytes);
      if (actual != wheel.sha256) {
        tried.push_back(place.where + " (refused: its bytes have sha256 " + actual +
                        ", not the lock's)");
        continue;
      }
      auto put = into_.put_blob(*bytes, actual);
      if (!put.ok()) return put.status().with_context("keeping " + wheel.name);
      ++out_.origins[place.origin];
      return ok_status();
    }
    std::string line = package.name + " " + package.version + ": " + wheel.name + " (sha256 " +
                       wheel.sha256 + ") was looked for in: ";
    for (std::size_t i = 0; i < tried.size(); ++i) line += (i ? "; " : "") + tried[i];
    out_.missing.push_back(std::move(line));
    return ok_status();
  }

  std::vector<Place> places(const index::LockedPackage& package, const index::LockedWheel& wheel) {
    std::vector<Place> out;
    const std::string cached = store_cache_.blob_path(wheel.sha256);
    out.push_back({std::string(kStoreCache), std::string(kStoreCache),
                   [cached]() { return read_if_there(cached, "not there"); }});
    // The lock's file name is a wheel's (read_pylock parsed it), so never a path; refused anyway.
    const bool plain_name = wheel.name.find('/') == std::string::npos;
    for (const std::string& dir : sources_.find_links) {
      const std::string path = dir + "/" + wheel.name;
      out.push_back({"find-links " + dir, "find-links " + dir, [path, plain_name]() {
                       if (!plain_name) return Result<std::string>(not_found("not a file name"));
                       return read_if_there(path, "no such file");
                     }});
    }
    for (const std::string& url : sources_.index_urls) {
      auto parsed = index::Url::parse(url);
      const std::string shown = parsed.ok() ? parsed->to_string() : index::redact_url(url);
      out.push_back({"index " + shown, "index " + shown, [this, parsed, &package, &wheel]() {
                       if (!parsed.ok()) return Result<std::string>(parsed.status());
                       return from_index(*parsed, package, wheel);
                     }});
    }
    if (!wheel.path.empty()) {
      out.push_back({"the lock's path", "the lock's path " + wheel.path,
                     [&wheel]() { return read_if_there(wheel.path, "no such file"); }});
    } else if (!wheel.url.empty()) {
      out.push_back({"the lock's url", "the lock's url " + wheel.url,
                     [this, &wheel]() { return download(wheel.url); }});
    }
    return out;
  }

  static Result<std::string> read_if_there(const std::string& path, std::string_view absent) {
    if (!exists(path)) return not_found(std::string(absent));
    return read_file(path);
  }

  // The file named as the lock's wheel on the package's page of `index_url`.
  Result<std::string> from_index(const index::Url& index_url, const index::LockedPackage& package,
                                 const index::LockedWheel& wheel) {
    const index::Url page = index::project_page_url(index_url, package.name);
    IGNITE_ASSIGN_OR_RETURN(index::HttpClient * client, http());
    IGNITE_ASSIGN_OR_RETURN(index::HttpResponse response, client->get(page, index::kSimpleAccept));
    if (response.status == 404 || response.status == 410) {
      return not_found("no page " + page.to_string());
    }
    if (response.status != 200) {
      return index::http_status_error(response, "reading " + page.to_string());
    }
    auto base = index::Url::parse(response.url);
    IGNITE_ASSIGN_OR_RETURN(
        std::vector<index::IndexFile> files,
        index::parse_simple_page(response.body, response.content_type, base.ok() ? *base : page));
    for (const index::IndexFile& f : files) {
      if (f.filename == wheel.name) return download(f.url.to_string());
    }
    return not_found(page.to_string() + " lists no " + wheel.name);
  }

  Result<std::string> download(const std::string& text) {
    IGNITE_ASSIGN_OR_RETURN(index::Url url, index::Url::parse(text));
    IGNITE_ASSIGN_OR_RETURN(index::HttpClient * client, http());
    IGNITE_ASSIGN_OR_RETURN(index::HttpResponse response, client->get(url, "*/*"));
    if (response.status != 200) {
      return index::http_status_error(response, "downloading " + url.to_string());
    }
    return std::move(response.body);
  }

  // Made at the first download: the index URLs' credentials go to their hosts only.
  Result<index::HttpClient*> http() {
    if (!http_) {
      index::HttpOptions options;
      for (const std::string& url : sources_.index_urls) {
        if (auto parsed = index::Url::parse(url); parsed.ok())
          options.credentials.add_from(*parsed);
      }
      http_.emplace(std::move(options));
    }
    return &*http_;
  }

  const WheelSources& sources_;
  const index::ContentCache store_cache_;
  const index::ContentCache& into_;
  std::optional<index::CurlHttpClient> http_;
  GatheredWheels out_;
};

}  // namespace

Result<GatheredWheels> gather_locked_wheels(const std::vector<index::InstallItem>& items,
                                            const WheelSources& sources,
                                            const index::ContentCache& into,
                                            pipeline::Progress& progress) {
  progress.stage("wheels", std::to_string(items.size()) + " wheels of the lock");
  IGNITE_ASSIGN_OR_RETURN(GatheredWheels out, Gatherer(sources, into).run(items));
  std::string from;
  for (const auto& [origin, n] : out.origins) {
    from += (from.empty() ? "" : ", ") + std::to_string(n) + " from " + origin;
  }
  if (!out.missing.empty()) {
    from += (from.empty() ? "" : ", ") + std::to_string(out.missing.size()) + " not found";
  }
  progress.note(from);
  return out;
}

std::string missing_wheels_text(const GatheredWheels& gathered, std::size_t wheels) {
  std::string why = std::to_string(gathered.missing.size()) + " of the lock's " +
                    std::to_string(wheels) + (wheels == 1 ? " wheel" : " wheels") +
                    " could not be had: ";
  for (std::size_t i = 0; i < gathered.missing.size(); ++i) {
    why += (i ? "; " : "") + gathered.missing[i];
  }
  return why + " (--find-links DIR or --index-url URL may give them)";
}

std::string wheel_origins_text(const GatheredWheels& gathered) {
  std::string origins;
  for (const auto& [origin, count] : gathered.origins) {
    origins += (origins.empty() ? "" : ", ") + std::to_string(count) + " from " + origin;
  }
  return origins;
}

}  // namespace ignite::verify
