#include "builder/oci/pinned_gzip.h"

#include <libdeflate.h>

#include <system_error>
#include <thread>

namespace ignite::oci {
namespace {

void put_le32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// One whole gzip member over `data`.
Result<std::string> compress_member(std::string_view data) {
  libdeflate_compressor* c = libdeflate_alloc_compressor(kLayerGzipLevel);
  if (c == nullptr) return resource_exhausted("gzip: allocating a libdeflate compressor failed");
  struct Free {
    libdeflate_compressor* c;
    ~Free() { libdeflate_free_compressor(c); }
  } free_c{c};
  static constexpr char kHeader[10] = {'\x1f', '\x8b', 8, 0, 0,
                                       0,      0,      0, 0, static_cast<char>(kLayerGzipOsByte)};
  std::string out(kHeader, sizeof kHeader);
  const std::size_t bound = libdeflate_deflate_compress_bound(c, data.size());
  out.resize(sizeof kHeader + bound);
  const std::size_t n =
      libdeflate_deflate_compress(c, data.data(), data.size(), out.data() + sizeof kHeader, bound);
  if (n == 0) return internal_error("gzip: libdeflate output exceeded its own bound");
  out.resize(sizeof kHeader + n);
  put_le32(out, libdeflate_crc32(0, data.data(), data.size()));
  put_le32(out, static_cast<std::uint32_t>(data.size()));  // ISIZE is the size mod 2^32
  return out;
}

}  // namespace

std::string_view layer_compressor_version() { return "libdeflate " LIBDEFLATE_VERSION_STRING; }

PinnedGzipWriter::PinnedGzipWriter(ByteSink& out, unsigned threads)
    : out_(out),
      threads_(threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency())) {
  pending_.reserve(kLayerGzipMemberBytes);
}

PinnedGzipWriter::~PinnedGzipWriter() {
  for (auto& f : in_flight_) {
    if (f.worker.joinable()) f.worker.join();
  }
}

Status PinnedGzipWriter::write(std::string_view data) {
  if (!failed_.ok()) return failed_;
  while (!data.empty()) {
    std::size_t take = std::min(data.size(), kLayerGzipMemberBytes - pending_.size());
    pending_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (pending_.size() == kLayerGzipMemberBytes) IGNITE_RETURN_IF_ERROR(dispatch());
  }
  return ok_status();
}

Status PinnedGzipWriter::finish() {
  if (!failed_.ok()) return failed_;
  if (!pending_.empty() || members_ == 0) IGNITE_RETURN_IF_ERROR(dispatch());
  return drain(0);
}

Status PinnedGzipWriter::dispatch() {
  IGNITE_RETURN_IF_ERROR(drain(threads_ - 1));
  std::string member;
  member.reserve(kLayerGzipMemberBytes);
  member.swap(pending_);
  ++members_;
  InFlight f;
  f.task = std::make_unique<std::packaged_task<Result<std::string>()>>(
      [m = std::move(member)] { return compress_member(m); });
  f.result = f.task->get_future();
  if (threads_ == 1) {
    (*f.task)();
  } else {
    try {
      f.worker = std::thread([t = f.task.get()] { (*t)(); });
    } catch (const std::system_error&) {
      (*f.task)();  // no thread to be had: compress here; the bytes are the same
    }
  }
  in_flight_.push_back(std::move(f));
  return ok_status();
}

Status PinnedGzipWriter::drain(std::size_t n) {
  while (in_flight_.size() > n) {
    InFlight& f = in_flight_.front();
    Result<std::string> member = f.result.get();
    if (f.worker.joinable()) f.worker.join();
    in_flight_.pop_front();
    Status s = member.ok() ? out_.write(*member) : member.status();
    if (!s.ok()) {
      failed_ = s;
      return s;
    }
  }
  return ok_status();
}

Result<std::string> pinned_gzip(std::string_view data, unsigned threads) {
  StringSink sink;
  PinnedGzipWriter gz(sink, threads);
  IGNITE_RETURN_IF_ERROR(gz.write(data));
  IGNITE_RETURN_IF_ERROR(gz.finish());
  return sink.take();
}

}  // namespace ignite::oci
