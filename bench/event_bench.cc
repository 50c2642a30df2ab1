// Event delivery (issue 13's bench; never in CI): 10,000 events recorded by the build queue go to
// a loopback receiver that checks every signature (tests/events/event_receiver.h), through the
// outbox and `serve`'s deliverer (src/events/event_delivery.h). Prints events/s and the delay
// from state change to delivery (p50, p99); then 10,000 more with the receiver down for 30 s in
// the middle, and the time to drain the backlog; and, side by side, the same bodies POSTed
// directly, one after the other, with no outbox (what a builder that posts inline would do, and
// lose on a crash).
//
//   build/bench/bench_events [EVENTS] [DOWN_SECONDS]     (default 10000 and 30)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include <google/protobuf/util/time_util.h>

#include "builder/net/http_client.h"
#include "builder/store/sqlite_build_queue.h"
#include "builder/store/sqlite_event_outbox.h"
#include "builder/util/wall_clock.h"
#include "src/events/event_delivery.h"
#include "src/events/event_signature.h"
#include "tests/events/event_receiver.h"
#include "tests/testing/temp_dir.h"

namespace {

using namespace ignite;
using Clock = std::chrono::steady_clock;
constexpr const char* kSecret = "bench-secret";

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double percentile(std::vector<std::int64_t> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return static_cast<double>(v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))]);
}

// Four events per build: QUEUED, RUNNING, stage "layers", FAILED. Calls `each` after each
// build's events with the number recorded so far.
// `per_second` > 0 paces the builds so that events are recorded at about that rate.
void produce(store::SqliteBuildQueue& q, int events, int first_app,
             const std::function<void(int)>& each = {}, double per_second = 0) {
  const auto start = Clock::now();
  store::SubmitOptions o;
  o.max_attempts = 1;
  const std::string source = "sha256:" + std::string(64, '5');
  const std::string code = "sha256:" + std::string(64, 'c');
  for (int made = 0, i = 0; made < events; ++i) {
    auto app = *store::AppId::parse("bench-org/app" + std::to_string(first_app + i % 50));
    auto b = q.submit(app, source, code, store::BuildPriority::kNormal, o);
    auto c = q.claim("bench-worker", std::chrono::seconds(60));
    if (!b.ok() || !c.ok() || !c->has_value()) {
      std::fprintf(stderr, "bench: the queue failed: %s\n",
                   (!b.ok() ? b.status() : c.status()).to_string().c_str());
      std::exit(1);
    }
    (void)q.set_stage((*c)->build.id, (*c)->epoch, "layers");
    (void)q.fail((*c)->build.id, (*c)->epoch, invalid_argument("bench failure"), false);
    made += 4;
    if (each) each(made);
    if (per_second > 0) {
      std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(made / per_second)));
    }
  }
}

// Delays (ms) from each event's recorded time to its arrival at the receiver, of the events
// recorded from `since_unix_ms` on.
std::vector<std::int64_t> delays(const testing::EventReceiver& r, std::size_t* events,
                                 std::int64_t since_unix_ms = 0) {
  std::vector<std::int64_t> out;
  for (const auto& [id, evs] : r.builds()) {
    for (const auto& e : evs) {
      if (google::protobuf::util::TimeUtil::TimestampToMilliseconds(e.event.at()) < since_unix_ms) {
        continue;
      }
      out.push_back(e.at_unix_ms -
                    google::protobuf::util::TimeUtil::TimestampToMilliseconds(e.event.at()));
    }
  }
  *events = out.size();
  return out;
}

bool wait_taken(const testing::EventReceiver& r, std::size_t n, int max_seconds) {
  const auto start = Clock::now();
  while (r.taken() < n && seconds_since(start) < max_seconds) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return r.taken() >= n;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int down_seconds = argc > 2 ? std::atoi(argv[2]) : 30;
  testing::TempDir dir;
  testing::EventReceiver receiver(kSecret);
  auto q = store::SqliteBuildQueue::open(dir.path() + "/ignite.db");
  if (!q.ok()) return std::fprintf(stderr, "%s\n", q.status().to_string().c_str()), 1;
  events::EventDeliveryOptions o;
  o.url = receiver.url();
  o.secret = kSecret;
  o.owner = "bench:1";
  std::int64_t logged = 0;
  o.log = [&logged](const std::string&) { ++logged; };
  auto delivery = events::EventDelivery::start(dir.path(), o);
  if (!delivery.ok()) return std::fprintf(stderr, "%s\n", delivery.status().to_string().c_str()), 1;

  std::printf("event delivery bench: %d events, loopback receiver checking every signature\n", n);
  // 1. Paced: events recorded at 1,000/s (a service building 200 builds/s), each sent as it comes.
  const double pace = 1000;
  std::size_t count = 0;
  produce(*q, n, 0, {}, pace);
  if (!wait_taken(receiver, n, 300)) return std::printf("not all delivered\n"), 1;
  auto d = delays(receiver, &count);
  std::printf("  paced at %.0f events/s: %zu delivered; delay from state change to delivery: p50 %.0f ms,"
              " p99 %.0f ms, max %.0f ms\n",
              pace, count, percentile(d, 0.5), percentile(d, 0.99), percentile(d, 1.0));

  // 2. A burst: events recorded as fast as the queue records them, delivered while they come.
  const std::int64_t burst_from = unix_now_ms();
  const auto start = Clock::now();
  produce(*q, n, 50);
  const double produced_s = seconds_since(start);
  if (!wait_taken(receiver, 2 * static_cast<std::size_t>(n), 300)) {
    return std::printf("not all delivered\n"), 1;
  }
  const double delivered_s = seconds_since(start);
  d = delays(receiver, &count, burst_from);
  std::printf("  burst: %zu events recorded in %.2f s (%.0f/s by the queue), delivered by %.2f s:"
              " %.0f events/s; delay p50 %.0f ms, p99 %.0f ms (behind the backlog)\n",
              count, produced_s, n / produced_s, delivered_s, n / delivered_s, percentile(d, 0.5),
              percentile(d, 0.99));

  // 3. The receiver down for `down_seconds` from a third of the way in.
  bool went_down = false;
  Clock::time_point down_at;
  const auto start2 = Clock::now();
  produce(*q, n, 100, [&](int made) {
    if (!went_down && made >= n / 3) {
      went_down = true;
      receiver.down();
      down_at = Clock::now();
    }
  });
  const double produced2_s = seconds_since(start2);
  const double left = down_seconds - seconds_since(down_at);
  if (left > 0) std::this_thread::sleep_for(std::chrono::duration<double>(left));
  auto outbox = store::SqliteEventOutbox::open(dir.path() + "/ignite.db");
  const auto backlog = outbox->stats()->depth;
  receiver.up();
  const auto up_at = Clock::now();
  const std::size_t before = receiver.taken();
  while (receiver.taken() == before && seconds_since(up_at) < 120) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const double first_s = seconds_since(up_at);  // waiting out the deliverer's backoff
  const auto first_at = Clock::now();
  if (!wait_taken(receiver, 3 * static_cast<std::size_t>(n), 600)) {
    return std::printf("backlog not drained\n"), 1;
  }
  const double drain_s = seconds_since(first_at);
  std::printf("  receiver down %d s: %d events recorded meanwhile in %.2f s; backlog at its return"
              " %lld events; the first delivered %.2f s after it (the retry backoff, capped at"
              " 10 s), the rest in %.2f s: %.0f events/s; %lld delivery failures logged\n",
              down_seconds, n, produced2_s, static_cast<long long>(backlog), first_s, drain_s,
              backlog / drain_s, static_cast<long long>(logged));
  std::printf("  none lost: %zu taken, %zu repeats, %zu out of order, %zu bad signatures\n",
              receiver.taken(), receiver.repeats(), receiver.out_of_order().size(),
              receiver.bad_signatures());

  // 4. The alternative: the same kind of bodies POSTed inline, one after the other, no outbox.
  auto client = net::HttpClient::create({});
  const auto builds = receiver.builds();
  std::vector<std::string> bodies;
  for (const auto& [id, evs] : builds) {
    for (const auto& e : evs) {
      bodies.push_back(e.body);
      if (static_cast<int>(bodies.size()) == n) break;
    }
    if (static_cast<int>(bodies.size()) == n) break;
  }
  testing::EventReceiver direct(kSecret);
  const auto start3 = Clock::now();
  for (const auto& body : bodies) {
    net::HttpRequest r;
    r.method = "POST";
    r.url = direct.url();
    r.body = body;
    const std::int64_t now = unix_now_seconds();
    r.headers = {
        "Content-Type: application/json",
        std::string(events::kTimestampHeader) + ": " + std::to_string(now),
        std::string(events::kSignatureHeader) + ": " + events::event_signature(kSecret, now, body)};
    (void)client->send(r);
  }
  const double direct_s = seconds_since(start3);
  std::printf(
      "  alternative, direct POSTs with no outbox (nothing kept on a crash): %zu events in"
      " %.2f s: %.0f events/s\n",
      bodies.size(), direct_s, bodies.size() / direct_s);
  return receiver.out_of_order().empty() && receiver.bad_signatures() == 0 ? 0 : 1;
}
