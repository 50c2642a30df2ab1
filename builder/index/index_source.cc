#include "builder/index/index_source.h"

#include "builder/index/wheel_metadata.h"
#include "builder/python/names.h"
#include "builder/util/file_io.h"
#include "builder/util/sha256.h"

namespace ignite::index {
namespace {

std::string hash_of(const std::map<std::string, std::string>& hashes, const char* algo) {
  auto it = hashes.find(algo);
  return it == hashes.end() ? "" : it->second;
}

Status check_consistent(const CoreMetadata& md, const resolve::Candidate& c,
                        std::string_view where) {
  if (python::canonicalize_name(md.name) != c.name || md.version != c.version) {
    return failed_precondition(std::string(where) + ": the metadata names " + md.name + " " +
                               md.version.to_string() + ", but the index lists the file as " +
                               c.display());
  }
  return ok_status();
}

}  // namespace

Url project_page_url(const Url& index, std::string_view canonical_name) {
  Url page = index;
  while (page.path.size() > 1 && page.path.ends_with('/')) page.path.pop_back();
  if (page.path == "/") page.path.clear();
  page.path += "/" + std::string(canonical_name) + "/";
  page.has_fragment = false;
  page.fragment.clear();
  return page;
}

IndexSource::IndexSource(Url index_url, HttpClient& http, const ContentCache& cache,
                         TargetSelection target, IndexLayout layout)
    : index_(std::move(index_url)),
      http_(http),
      cache_(cache),
      target_(std::move(target)),
      layout_(layout) {
  index_.user.clear();
  index_.password.clear();
  index_.has_userinfo = false;
}

std::string IndexSource::describe() const {
  return (layout_ == IndexLayout::kSimple ? "index " : "find-links ") + index_.to_string();
}

std::string IndexSource::index_of(const resolve::Candidate&) const {
  return layout_ == IndexLayout::kSimple ? index_.to_string() : "";
}

Result<std::vector<IndexFile>> IndexSource::read_page(const Url& page) {
  const std::string what = "reading " +
                           std::string(layout_ == IndexLayout::kSimple ? "index" : "find-links") +
                           " page " + page.to_string();
  IGNITE_ASSIGN_OR_RETURN(HttpResponse response, http_.get(page, kSimpleAccept));
  ++counters_.pages;
  if (response.status == 404 || response.status == 410) return std::vector<IndexFile>{};
  if (response.status != 200) return http_status_error(response, what);
  auto base = Url::parse(response.url);
  return parse_simple_page(response.body, response.content_type, base.ok() ? *base : page);
}

Result<std::vector<resolve::Candidate>> IndexSource::candidates(std::string_view canonical_name) {
  std::vector<IndexFile> files;
  if (layout_ == IndexLayout::kSimple) {
    IGNITE_ASSIGN_OR_RETURN(files, read_page(project_page_url(index_, canonical_name)));
  } else {
    if (!flat_page_) {
      IGNITE_ASSIGN_OR_RETURN(std::vector<IndexFile> page, read_page(index_));
      flat_page_ = std::move(page);
    }
    files = *flat_page_;
  }
  std::vector<FileOption> options;
  std::vector<std::string>& unusable = unusable_[std::string(canonical_name)];
  unusable.clear();
  for (IndexFile& file : files) {
    if (!file.filename.ends_with(".whl")) {  // sdists are never built here
      auto sdist = python::SdistFilename::parse(file.filename);
      if (sdist.ok() && sdist->name == canonical_name) {
        unusable.push_back(file.filename + ": " + std::string(kSdistSkipped));
      }
      continue;
    }
    auto wheel = python::WheelFilename::parse(file.filename);
    if (!wheel.ok() || wheel->name != canonical_name) continue;
    if (!target_.tags.best_rank(wheel->tags)) {
      unusable.push_back(file.filename + ": " + std::string(kTagsSkipped));
    }
    std::optional<python::SpecifierSet> requires_python;
    if (file.requires_python) {
      // An invalid Requires-Python is ignored, as pip ignores it.
      if (auto spec = python::SpecifierSet::parse(*file.requires_python); spec.ok()) {
        requires_python = std::move(*spec);
      }
    }
    resolve::Candidate c{.name = wheel->name,
                         .version = wheel->version,
                         .filename = file.filename,
                         .url = file.url.to_string(),
                         .sha256 = hash_of(file.hashes, "sha256"),
                         .requires_python = std::move(requires_python),
                         .yanked = file.yanked,
                         .yanked_reason = file.yanked_reason};
    files_.insert_or_assign(c.url, file);
    options.push_back(FileOption{std::move(*wheel), std::move(c)});
  }
  std::vector<resolve::Candidate> out;
  for (std::size_t i : choose_files(options, target_))
    out.push_back(std::move(options[i].candidate));
  return out;
}

std::vector<std::string> IndexSource::unusable_files(std::string_view canonical_name) {
  auto it = unusable_.find(std::string(canonical_name));
  return it == unusable_.end() ? std::vector<std::string>{} : it->second;
}

Result<std::string> IndexSource::download(const IndexFile& file, std::string_view what) {
  const std::string expected = hash_of(file.hashes, "sha256");
  if (!expected.empty()) {
    if (auto path = cache_.find_blob(expected)) {
      ++counters_.cache_hits;
      return *path;
    }
  }
  const std::string shown = file.url.to_string();
  IGNITE_ASSIGN_OR_RETURN(HttpResponse response, http_.get(file.url, "*/*"));
  ++counters_.wheels;
  if (response.status != 200) {
    return http_status_error(response, std::string(what) + ": downloading " + shown);
  }
  const std::string actual = sha256_hex(response.body);
  if (!expected.empty() && actual != expected) {
    return data_loss(std::string(what) + ": downloading " + shown +
                     ": sha256 mismatch: the index lists " + expected + ", the download has " +
                     actual + "; the file was not kept");
  }
  return cache_.put_blob(response.body, actual);
}

Result<CoreMetadata> IndexSource::read_metadata(const resolve::Candidate& c,
                                                const IndexFile& file) {
  const std::string what = "reading the metadata of " + c.filename;
  const std::string wheel_sha = hash_of(file.hashes, "sha256");
  if (auto text = cache_.find_metadata(wheel_sha)) {
    auto md = parse_core_metadata(*text, "cached metadata of " + c.filename);
    if (md.ok()) {
      ++counters_.cache_hits;
      return md;
    }
  }
  if (file.has_metadata) {
    Url url = file.url;
    url.path += ".metadata";
    IGNITE_ASSIGN_OR_RETURN(HttpResponse response, http_.get(url, "*/*"));
    ++counters_.metadata_files;
    if (response.status == 200) {
      const std::string expected = hash_of(file.metadata_hashes, "sha256");
      if (!expected.empty()) {
        const std::string actual = sha256_hex(response.body);
        if (actual != expected) {
          return data_loss(what + ": " + url.to_string() + ": sha256 mismatch: the index lists " +
                           expected + ", the download has " + actual);
        }
      }
      IGNITE_ASSIGN_OR_RETURN(
          CoreMetadata md, parse_core_metadata(response.body, "metadata file " + url.to_string()));
      IGNITE_RETURN_IF_ERROR(cache_.put_metadata(wheel_sha, response.body));
      return md;
    }
    if (response.status != 404)
      return http_status_error(response, what + " from " + url.to_string());
    // A metadata file announced but missing: read the wheel instead.
  }
  IGNITE_ASSIGN_OR_RETURN(std::string path, download(file, what));
  IGNITE_ASSIGN_OR_RETURN(std::string text, read_wheel_metadata(path, c.name));
  IGNITE_ASSIGN_OR_RETURN(CoreMetadata md, parse_core_metadata(text, "metadata of " + c.filename));
  const std::string actual_sha = path.substr(path.rfind('/') + 1);
  IGNITE_RETURN_IF_ERROR(cache_.put_metadata(actual_sha, text));
  return md;
}

Result<std::vector<python::Requirement>> IndexSource::dependencies(const resolve::Candidate& c) {
  if (auto it = dependencies_.find(c.url); it != dependencies_.end()) return it->second;
  auto file = files_.find(c.url);
  if (file == files_.end()) {
    return failed_precondition("reading the dependencies of " + c.display() + ": " + c.url +
                               " is not a file of " + describe());
  }
  IGNITE_ASSIGN_OR_RETURN(CoreMetadata md, read_metadata(c, file->second));
  IGNITE_RETURN_IF_ERROR(check_consistent(md, c, "reading the metadata of " + c.filename));
  return dependencies_.emplace(c.url, std::move(md.requires_dist)).first->second;
}

Result<LocalWheel> IndexSource::fetch(const resolve::Candidate& c) {
  auto file = files_.find(c.url);
  if (file == files_.end()) {
    return failed_precondition("fetching " + c.display() + ": " + c.url + " is not a file of " +
                               describe());
  }
  IGNITE_ASSIGN_OR_RETURN(std::string path, download(file->second, "fetching " + c.display()));
  std::string actual = path.substr(path.rfind('/') + 1);
  if (!c.sha256.empty() && c.sha256 != actual) {
    return data_loss("fetching " + c.display() + ": sha256 mismatch: expected " + c.sha256 +
                     ", the file has " + actual);
  }
  return LocalWheel{std::move(path), std::move(actual)};
}

}  // namespace ignite::index
