#include "builder/containerd/content_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "builder/util/unique_fd.h"

namespace ignite::containerd {
namespace {

namespace content_api = ::containerd::services::content::v1;

// How long a write waits for another writer of the same blob (containerd locks an ingest ref
// while a stream writes it) before giving up.
constexpr auto kLockedWait = std::chrono::seconds(120);

std::string blob_name(const oci::Descriptor& blob) {
  return "blob " + blob.digest.to_string() + " (" + std::to_string(blob.size) + " bytes)";
}

// The labels `labels` has that `existing` lacks or holds with another value.
std::map<std::string, std::string> missing_labels(
    const google::protobuf::Map<std::string, std::string>& existing,
    const std::map<std::string, std::string>& labels) {
  std::map<std::string, std::string> missing;
  for (const auto& [key, value] : labels) {
    auto it = existing.find(key);
    if (it == existing.end() || it->second != value) missing.emplace(key, value);
  }
  return missing;
}

// Whether containerd has the blob; when it has, makes sure it carries `labels`. The blob is put
// in the lease first: containerd's collector may run between any two calls (a lease deleted
// elsewhere triggers it), and a blob found present but not yet leased could be gone by the time
// the image record refers to it. A lease may name a blob that does not exist (yet).
Result<bool> ensure_present(ContainerdConnection& c, std::string_view lease,
                            const oci::Descriptor& blob,
                            const std::map<std::string, std::string>& labels) {
  const std::string digest = blob.digest.to_string();
  if (!lease.empty()) {
    ::containerd::services::leases::v1::AddResourceRequest add;
    add.set_id(std::string(lease));
    add.mutable_resource()->set_id(digest);
    add.mutable_resource()->set_type("content");
    google::protobuf::Empty empty;
    grpc::Status s = c.leases().AddResource(c.call_context(lease).get(), add, &empty);
    if (!s.ok()) return c.error(s, "adding " + digest + " to lease " + std::string(lease));
  }
  content_api::InfoRequest request;
  request.set_digest(digest);
  content_api::InfoResponse response;
  grpc::Status s = c.content().Info(c.call_context(lease).get(), request, &response);
  if (s.error_code() == grpc::StatusCode::NOT_FOUND) return false;
  if (!s.ok()) return c.error(s, "asking for " + blob_name(blob));
  if (response.info().size() != blob.size) {
    return failed_precondition("containerd at " + c.target().socket + " has " + digest + " as " +
                               std::to_string(response.info().size()) +
                               " bytes, the manifest says " + std::to_string(blob.size));
  }
  auto missing = missing_labels(response.info().labels(), labels);
  if (!missing.empty()) {
    content_api::UpdateRequest update;
    update.mutable_info()->set_digest(digest);
    for (const auto& [key, value] : missing) {
      (*update.mutable_info()->mutable_labels())[key] = value;
      update.mutable_update_mask()->add_paths("labels." + key);
    }
    content_api::UpdateResponse updated;
    s = c.content().Update(c.call_context(lease).get(), update, &updated);
    if (!s.ok()) return c.error(s, "labelling " + blob_name(blob));
  }
  return true;
}

void abort_ingest(ContainerdConnection& c, const std::string& ref) {
  content_api::AbortRequest request;
  request.set_ref(ref);
  google::protobuf::Empty empty;
  (void)c.content().Abort(c.call_context().get(), request, &empty);  // best effort
}

enum class Attempt { kDone, kLocked, kResumedBadly };

struct StreamOutcome {
  Attempt attempt = Attempt::kDone;
  BlobWrite write;
};

// One Content.Write stream. `resume`: continue an ingest containerd kept for `ref`.
Result<StreamOutcome> write_stream(ContainerdConnection& c, std::string_view lease,
                                   const oci::Descriptor& blob, int fd, const std::string& ref,
                                   const std::map<std::string, std::string>& labels, bool resume) {
  const std::string digest = blob.digest.to_string();
  auto ctx = c.context(lease, c.target().write_timeout);
  auto stream = c.content().Write(ctx.get());
  content_api::WriteContentRequest request;
  content_api::WriteContentResponse response;
  StreamOutcome outcome;

  // Send one request and read its answer; false when the stream ended (Finish says why).
  auto exchange = [&]() { return stream->Write(request) && stream->Read(&response); };
  // Ends the stream and returns its status. containerd's server sends its last answer once
  // more as it returns, so the answers are read to the end first: Finish waits for unread ones.
  auto close = [&]() {
    stream->WritesDone();
    content_api::WriteContentResponse extra;
    while (stream->Read(&extra)) {
    }
    return stream->Finish();
  };
  auto finish = [&](std::string_view what) -> Result<StreamOutcome> {
    grpc::Status s = close();
    if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS) return outcome;  // another writer won
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE &&
        s.error_message().find("locked") != std::string::npos) {
      outcome.attempt = Attempt::kLocked;
      return outcome;
    }
    if (s.ok()) s = grpc::Status(grpc::StatusCode::INTERNAL, "the stream ended early");
    return c.error(s, std::string(what) + " " + blob_name(blob));
  };

  request.set_action(content_api::STAT);
  request.set_ref(ref);
  // With the size and digest declared, a blob another namespace of this containerd holds is
  // linked, not sent: the ingest starts complete (offset = size) and the commit needs no data.
  request.set_total(blob.size);
  request.set_expected(digest);
  if (!exchange()) return finish("starting");
  std::int64_t offset = response.offset();
  const bool usable = offset == 0 || offset == blob.size || (resume && offset < blob.size);
  if (!usable) {
    (void)close();
    if (!resume) {
      return internal_error("containerd at " + c.target().socket + " kept ingest " + ref +
                            " at offset " + std::to_string(offset) + " after it was aborted");
    }
    // Left by a writer that died, and longer than the blob: start again from nothing.
    abort_ingest(c, ref);
    return write_stream(c, lease, blob, fd, ref, labels, false);
  }
  // Bytes already there (a dead writer's, or a link to another namespace's copy) are part of
  // what is committed: if the commit refuses them, the next attempt starts from nothing.
  const bool resumed = offset > 0;

  std::string buffer(kWriteChunkBytes, '\0');
  while (offset < blob.size) {
    const std::size_t want = static_cast<std::size_t>(
        std::min<std::int64_t>(blob.size - offset, static_cast<std::int64_t>(kWriteChunkBytes)));
    const ssize_t n = ::pread(fd, buffer.data(), want, offset);
    if (n < 0) {
      ctx->TryCancel();
      (void)close();
      return errno_status("reading " + blob_name(blob), errno);
    }
    if (n == 0) break;  // a short file: the commit's size check names it
    request.Clear();
    request.set_action(content_api::WRITE);
    request.set_ref(ref);
    request.set_offset(offset);
    request.set_total(blob.size);
    request.set_expected(digest);
    request.set_data(buffer.data(), static_cast<std::size_t>(n));
    if (!exchange()) return finish("writing");
    outcome.write.bytes_sent += n;
    offset = response.offset();
  }

  request.Clear();
  request.set_action(content_api::COMMIT);
  request.set_ref(ref);
  // containerd truncates an ingest written to by a message at offset 0 that carries no data:
  // the commit must say where the writes ended.
  request.set_offset(offset);
  request.set_total(blob.size);
  request.set_expected(digest);
  for (const auto& [key, value] : labels) (*request.mutable_labels())[key] = value;
  if (exchange()) {
    grpc::Status s = close();
    if (!s.ok()) return c.error(s, "committing " + blob_name(blob));
    outcome.write.written = true;
    return outcome;
  }
  grpc::Status s = close();
  if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS) return outcome;  // another writer won
  if (resumed && s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
    outcome.attempt = Attempt::kResumedBadly;  // the kept part was not this blob's
    return outcome;
  }
  // Refused bytes are not left for the next import to resume from.
  abort_ingest(c, ref);
  return c.error(s, "committing " + blob_name(blob));
}

}  // namespace

Result<BlobWrite> write_blob(ContainerdConnection& c, std::string_view lease,
                             const oci::Descriptor& blob, const std::string& path,
                             const std::map<std::string, std::string>& labels) {
  IGNITE_ASSIGN_OR_RETURN(bool present, ensure_present(c, lease, blob, labels));
  if (present) return BlobWrite{};

  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return errno_status("opening " + blob_name(blob) + " at " + path, errno);

  // One ref per blob: two imports of the same blob meet on it, and the second waits.
  const std::string ref = "ignite-builder-" + blob.digest.to_string();
  bool resume = true;
  std::int64_t sent = 0;  // over every attempt
  const auto give_up = std::chrono::steady_clock::now() + kLockedWait;
  auto pause = std::chrono::milliseconds(50);
  for (;;) {
    IGNITE_ASSIGN_OR_RETURN(StreamOutcome outcome,
                            write_stream(c, lease, blob, fd.get(), ref, labels, resume));
    sent += outcome.write.bytes_sent;
    outcome.write.bytes_sent = sent;
    switch (outcome.attempt) {
      case Attempt::kDone:
        if (!outcome.write.written) {
          // Another writer committed it first: it must still carry the labels and be in this
          // import's lease, as a blob found present would.
          IGNITE_ASSIGN_OR_RETURN(bool there, ensure_present(c, lease, blob, labels));
          if (!there)
            return internal_error("containerd at " + c.target().socket + " said " +
                                  blob_name(blob) + " exists, then that it does not");
        }
        return outcome.write;
      case Attempt::kResumedBadly:
        abort_ingest(c, ref);
        resume = false;
        break;
      case Attempt::kLocked:
        if (std::chrono::steady_clock::now() >= give_up) {
          return unavailable("containerd at " + c.target().socket + ": " + blob_name(blob) +
                             " is being written by another client (ref " + ref + ") for over " +
                             std::to_string(kLockedWait.count()) + " s");
        }
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(1000));
        // The other writer may have finished: then the blob is there.
        IGNITE_ASSIGN_OR_RETURN(bool now_present, ensure_present(c, lease, blob, labels));
        if (now_present) return BlobWrite{.written = false, .bytes_sent = sent};
        break;
    }
  }
}

}  // namespace ignite::containerd
