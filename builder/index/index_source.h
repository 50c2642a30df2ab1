// A PEP 503 / PEP 691 simple repository index over HTTP(S).
//
// candidates(name) reads <index>/<name>/ asking for JSON first (simple_page.h), keeps the
// wheels the target can install (file_choice.h) and remembers every file's hashes and
// metadata link. dependencies() reads the PEP 658 metadata file (<wheel url>.metadata)
// when the index offers one, checked against its hash when given; otherwise it downloads
// the wheel and reads METADATA from it. fetch() downloads a wheel into the content cache,
// refusing bytes that do not match the index's sha256. Metadata is cached by the wheel's
// sha256, so a second run against the same files fetches no metadata.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "builder/index/content_cache.h"
#include "builder/index/core_metadata.h"
#include "builder/index/file_choice.h"
#include "builder/index/http_client.h"
#include "builder/index/simple_page.h"
#include "builder/index/wheel_source.h"

namespace ignite::index {

struct IndexCounters {
  std::size_t pages = 0;           // project pages read
  std::size_t metadata_files = 0;  // PEP 658 files fetched
  std::size_t wheels = 0;          // wheels downloaded
  std::size_t cache_hits = 0;      // metadata or wheels found in the cache
};

// kSimple: a PEP 503/691 index, one page per project. kFlatPage: one HTML page linking
// to wheels of any project (pip's --find-links URL), read once.
enum class IndexLayout { kSimple, kFlatPage };

class IndexSource final : public WheelSource {
 public:
  // `index_url` without credentials (they live in the HttpClient). `http` and `cache`
  // must outlive the source.
  IndexSource(Url index_url, HttpClient& http, const ContentCache& cache, TargetSelection target,
              IndexLayout layout = IndexLayout::kSimple);

  Result<std::vector<resolve::Candidate>> candidates(std::string_view canonical_name) override;
  Result<std::vector<python::Requirement>> dependencies(const resolve::Candidate& c) override;
  std::string describe() const override;
  Result<LocalWheel> fetch(const resolve::Candidate& c) override;
  std::vector<std::string> unusable_files(std::string_view canonical_name) override;
  std::string index_of(const resolve::Candidate&) const override;

  const IndexCounters& counters() const { return counters_; }

 private:
  Result<CoreMetadata> read_metadata(const resolve::Candidate& c, const IndexFile& file);
  Result<std::string> download(const IndexFile& file, std::string_view what);
  Result<std::vector<IndexFile>> read_page(const Url& page);

  Url index_;
  HttpClient& http_;
  const ContentCache& cache_;
  TargetSelection target_;
  IndexLayout layout_;
  std::optional<std::vector<IndexFile>> flat_page_;  // kFlatPage: the page, once read
  std::map<std::string, IndexFile> files_;           // every file of every page read, by URL
  std::map<std::string, std::vector<python::Requirement>> dependencies_;  // by URL
  std::map<std::string, std::vector<std::string>> unusable_;  // by canonical name: "file: why"
  IndexCounters counters_;
};

// "<index>/<name>/": the project's page (PEP 503), whatever the index URL's trailing slash.
Url project_page_url(const Url& index, std::string_view canonical_name);

}  // namespace ignite::index
