#include "builder/util/gzip_inflater.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

namespace ignite {

struct GzipInflater::State {
  enum class Where { kInMember, kBetweenMembers, kPadding };
  z_stream z{};
  bool initialized = false;
  Where where = Where::kInMember;
  bool started = false;  // any byte of a member was read
  std::string_view input;
};

GzipInflater::GzipInflater(GzipPadding padding) : s_(std::make_unique<State>()), padding_(padding) {
  // 16 + MAX_WBITS: a gzip wrapper, not zlib's. Failing here means no memory; inflate() says so.
  s_->initialized = inflateInit2(&s_->z, 16 + MAX_WBITS) == Z_OK;
}

GzipInflater::~GzipInflater() {
  if (s_->initialized) inflateEnd(&s_->z);
}

void GzipInflater::feed(std::string_view input) { s_->input = input; }

bool GzipInflater::needs_input() const { return s_->input.empty(); }

Result<std::size_t> GzipInflater::inflate(char* out, std::size_t size) {
  State& s = *s_;
  if (!s.initialized) return resource_exhausted("gzip: zlib could not be initialized");
  std::size_t produced = 0;
  while (produced < size && !s.input.empty()) {
    if (s.where == State::Where::kPadding) {
      if (s.input.find_first_not_of('\0') != std::string_view::npos) {
        return invalid_argument("unexpected data after the end of the gzip stream");
      }
      s.input = {};
      break;
    }
    if (s.where == State::Where::kBetweenMembers) {
      if (s.input.front() == '\0' && padding_ == GzipPadding::kZerosAllowed) {
        s.where = State::Where::kPadding;
        continue;
      }
      if (static_cast<unsigned char>(s.input.front()) != 0x1f) {
        return invalid_argument("unexpected data after the end of the gzip stream");
      }
      if (::inflateReset(&s.z) != Z_OK) return internal_error("gzip: zlib reset failed");
      s.where = State::Where::kInMember;
    }
    // zlib counts in uInt; feed and fill at most that much per call.
    constexpr std::size_t kMax = std::numeric_limits<uInt>::max();
    const std::size_t in_now = std::min(s.input.size(), kMax);
    const std::size_t out_now = std::min(size - produced, kMax);
    s.z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(s.input.data()));
    s.z.avail_in = static_cast<uInt>(in_now);
    s.z.next_out = reinterpret_cast<Bytef*>(out + produced);
    s.z.avail_out = static_cast<uInt>(out_now);
    s.started = true;
    const int r = ::inflate(&s.z, Z_NO_FLUSH);
    s.input.remove_prefix(in_now - s.z.avail_in);
    produced += out_now - s.z.avail_out;
    if (r == Z_STREAM_END) {
      s.where = State::Where::kBetweenMembers;
    } else if (r == Z_BUF_ERROR) {
      break;  // no progress possible: wants more input or more room
    } else if (r != Z_OK) {
      return invalid_argument(std::string("corrupt gzip data: ") + (s.z.msg ? s.z.msg : "inflate failed"));
    }
  }
  return produced;
}

Status GzipInflater::finish() const {
  if (s_->where == State::Where::kInMember) return invalid_argument("the gzip stream is truncated");
  return ok_status();
}

}  // namespace ignite
