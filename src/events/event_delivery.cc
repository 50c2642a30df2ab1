#include "src/events/event_delivery.h"

#include <algorithm>
#include <atomic>
#include <iostream>
#include <optional>
#include <vector>

#include "builder/net/http_client.h"
#include "builder/net/url_redaction.h"
#include "builder/store/event_outbox.h"
#include "builder/util/builder_version.h"
#include "builder/util/duration_text.h"
#include "builder/util/wall_clock.h"
#include "src/api/build_messages.h"
#include "src/api/json_mapping.h"
#include "src/events/event_signature.h"

namespace ignite::events {
namespace {

// The event's JSON, the body that is signed and sent.
std::string event_body(const store::OutboxEvent& e) {
  dodil::ignite::builder::v1::BuildEvent message;
  api::to_proto(e.app, e.event, &message);
  return api::to_json(message);
}

// One POST of one event; OK only for a 2xx answer.
Status post_event(net::HttpClient& client, const EventDeliveryOptions& options,
                  const store::OutboxEvent& e) {
  const std::string body = event_body(e);
  const std::int64_t now = unix_now_seconds();
  net::HttpRequest request;
  request.method = "POST";
  request.url = options.url;
  request.body = body;
  request.headers = {
      "Content-Type: application/json",
      "User-Agent: ignite-builder/" + std::string(kBuilderVersion),
      std::string(kTimestampHeader) + ": " + std::to_string(now),
      std::string(kSignatureHeader) + ": " + event_signature(options.secret, now, body),
      "X-Ignite-Event-Id: " + e.event.build_id + ":" + std::to_string(e.event.sequence),
  };
  IGNITE_ASSIGN_OR_RETURN(net::HttpResponse response, client.send(request));
  if (response.status >= 200 && response.status < 300) return ok_status();
  std::string said = response.body.substr(0, 200);
  std::replace(said.begin(), said.end(), '\n', ' ');
  return unavailable("POST " + net::url_for_messages(options.url) + " answered HTTP " +
                     std::to_string(response.status) +
                     (said.empty() ? std::string() : ": " + said));
}

}  // namespace

Result<std::unique_ptr<EventDelivery>> EventDelivery::start(const store::StoreBackend& store,
                                                            EventDeliveryOptions options) {
  const std::string& url = options.url;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return invalid_argument("the events URL " + net::redact_url(url) +
                            " is not an http:// or https:// URL");
  }
  if (options.secret.empty()) {
    return invalid_argument("the events secret is empty: events are always signed");
  }
  if (options.owner.empty()) return invalid_argument("the event deliverer needs an owner id");
  if (options.senders < 1 || options.batch < 1) {
    return invalid_argument("event delivery needs at least one sender and a batch of one");
  }
  // On first: from here on every event any process records is kept until delivered.
  IGNITE_ASSIGN_OR_RETURN(std::unique_ptr<store::EventOutbox> outbox, store.open_outbox());
  IGNITE_RETURN_IF_ERROR(outbox->enable().with_context("turning the event outbox on"));
  return std::unique_ptr<EventDelivery>(new EventDelivery(store, std::move(options)));
}

EventDelivery::EventDelivery(store::StoreBackend store, EventDeliveryOptions options)
    : store_(std::move(store)), options_(std::move(options)) {
  thread_ = std::thread([this] { run(); });
}

EventDelivery::~EventDelivery() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

EventDeliveryStats EventDelivery::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

bool EventDelivery::wait(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, d, [this] { return stop_; });
}

void EventDelivery::log(const std::string& line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::cerr << "ignite-builder serve: " << line << std::endl;
  }
}

void EventDelivery::run() {
  std::unique_ptr<store::EventOutbox> outbox;
  std::vector<net::HttpClient> clients;
  std::chrono::milliseconds backoff = options_.backoff_min;
  bool down = false;
  bool holding = false;
  std::chrono::steady_clock::time_point renewed_at;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) break;
    }
    // Set up (again) after a failure to: the database may be busy or the store moved.
    if (!outbox || clients.empty()) {
      auto opened = store_.open_outbox();
      Status ready = opened.status();
      clients.clear();
      for (int i = 0; ready.ok() && i < options_.senders; ++i) {
        net::HttpClientOptions http;
        http.ca_file = options_.ca_file;
        http.connect_timeout = options_.timeout;
        http.stall_time = std::chrono::duration_cast<std::chrono::seconds>(options_.timeout);
        auto client = net::HttpClient::create(http);
        if (!client.ok()) {
          ready = client.status();
          break;
        }
        clients.push_back(std::move(*client));
      }
      if (!ready.ok()) {
        log("event delivery cannot start: " + ready.to_string() + "; trying again");
        clients.clear();
        if (!wait(options_.backoff_max)) break;
        continue;
      }
      outbox = std::move(*opened);
    }
    // The lease is a write (a transaction, synced): renewed when a third of it has gone, not
    // every round, so that an idle deliverer polling every few milliseconds writes nothing.
    if (!holding || std::chrono::steady_clock::now() - renewed_at > options_.lease / 3) {
      auto held = outbox->take_delivery_lease(options_.owner, options_.lease);
      if (!held.ok() || !*held) {
        if (!held.ok()) log("event delivery: the delivery lease: " + held.status().to_string());
        if (holding) log("event delivery: another process delivers this store's events now");
        holding = false;
        if (!wait(options_.lease / 3)) break;
        continue;
      }
      holding = true;
      renewed_at = std::chrono::steady_clock::now();
    }
    auto batch = outbox->next(options_.batch);
    if (!batch.ok()) {
      log("event delivery: reading the outbox: " + batch.status().to_string());
      if (!wait(options_.backoff_min)) break;
      continue;
    }
    if (batch->empty()) {
      if (!wait(options_.poll)) break;
      continue;
    }
    // The batch holds one event per build, so its events may leave in any order, in parallel:
    // sender i takes events i, i + senders, ...
    // The first failure stops every sender: the round backs off anyway, and a receiver that
    // stalls costs one timeout per sender, not one per event (which would outlast the lease).
    std::vector<std::optional<Status>> sent(batch->size());  // nullopt: left for the next round
    const std::size_t senders = std::min<std::size_t>(clients.size(), batch->size());
    std::atomic<bool> stop_round = false;
    auto send_share = [&](std::size_t s) {
      for (std::size_t i = s; i < batch->size() && !stop_round; i += senders) {
        sent[i] = post_event(clients[s], options_, (*batch)[i]);
        if (!sent[i]->ok()) stop_round = true;
      }
    };
    std::vector<std::thread> others;
    for (std::size_t s = 1; s < senders; ++s) others.emplace_back(send_share, s);
    send_share(0);
    for (auto& t : others) t.join();

    std::vector<store::EventKey> done;
    Status failure;
    std::int64_t failed = 0;
    for (std::size_t i = 0; i < batch->size(); ++i) {
      if (!sent[i]) continue;
      if (sent[i]->ok()) {
        done.push_back({(*batch)[i].event.build_id, (*batch)[i].event.sequence});
      } else {
        ++failed;
        if (failure.ok()) failure = *sent[i];
      }
    }
    // An event acknowledged but not yet deleted is sent again after a crash: at least once.
    if (Status s = outbox->delivered(done); !s.ok()) {
      log("event delivery: recording " + std::to_string(done.size()) +
          " delivered events: " + s.to_string() + " (they will be sent again)");
    }
    {
      std::lock_guard lock(mutex_);
      stats_.delivered += static_cast<std::int64_t>(done.size());
      stats_.failures += failed;
      stats_.last_error = failure.ok() ? std::string() : failure.message();
    }
    if (failure.ok()) {
      if (down)
        log("event delivery: " + net::url_for_messages(options_.url) + " takes events again");
      down = false;
      backoff = options_.backoff_min;
      continue;
    }
    auto waiting = outbox->stats();
    log("event delivery: " + failure.message() + "; retrying in " + duration_text(backoff) +
        (waiting.ok() ? " (" + std::to_string(waiting->depth) + " events waiting)" : ""));
    down = true;
    if (!wait(backoff)) break;
    backoff = std::min(backoff * 2, options_.backoff_max);
  }
  if (outbox && holding) (void)outbox->release_delivery_lease(options_.owner);
}

}  // namespace ignite::events
