// Event delivery to the control plane (docs/events.md) against a real loopback receiver that
// checks every signature: each event is sent signed, once the receiver has it it is not sent
// again, a build's events arrive in order, and a receiver that is down, refusing or holding
// another secret loses nothing: the events wait in the outbox and leave when it takes them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "builder/store/sqlite_build_queue.h"
#include "builder/store/sqlite_event_outbox.h"
#include "builder/store/sqlite_version_store.h"
#include "src/events/event_delivery.h"
#include "src/events/event_signature.h"
#include "tests/events/event_receiver.h"
#include "tests/testing/temp_dir.h"

namespace ignite::events {
namespace {

namespace bv1 = dodil::ignite::builder::v1;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kSecret = "s3cret-for-tests";

std::string digest_of(char hex) { return "sha256:" + std::string(64, hex); }

class EventDeliveryTest : public ::testing::Test {
 protected:
  std::string db() const { return dir_.path() + "/ignite.db"; }

  // Retries wait 5 minutes (within the 15 min deadline): a claim in a test takes the build the
  // test means, never a retry.
  store::SqliteBuildQueue queue() {
    store::QueueOptions o;
    o.backoff = [](int) { return std::chrono::milliseconds(std::chrono::minutes(5)); };
    auto q = store::SqliteBuildQueue::open(db(), o);
    if (!q.ok()) ADD_FAILURE() << q.status().to_string();
    return std::move(q).value();
  }

  EventDeliveryOptions options(const std::string& url, const std::string& owner = "test:1",
                               const std::string& secret = kSecret) {
    EventDeliveryOptions o;
    o.url = url;
    o.secret = secret;
    o.owner = owner;
    o.poll = milliseconds(5);
    o.backoff_min = milliseconds(20);
    o.backoff_max = milliseconds(200);
    o.lease = seconds(2);
    o.timeout = seconds(5);
    o.log = [](const std::string&) {};
    return o;
  }

  std::unique_ptr<EventDelivery> start(EventDeliveryOptions o) {
    auto d = EventDelivery::start(dir_.path(), std::move(o));
    if (!d.ok()) ADD_FAILURE() << d.status().to_string();
    return d.ok() ? std::move(*d) : nullptr;
  }

  // A draft build that fails once and goes back to the queue for a retry: 4 events (queued,
  // running, stage intake, queued again with the error). Returns its id.
  std::string submitted_and_retried(store::SqliteBuildQueue& q, const std::string& app) {
    store::SubmitOptions o;
    o.kind = store::BuildKind::kDraft;
    auto b = q.submit(*store::AppId::parse(app), digest_of('5'), digest_of('c'),
                      store::BuildPriority::kNormal, o);
    EXPECT_TRUE(b.ok());
    auto c = q.claim("worker-1", seconds(30));
    EXPECT_TRUE(c.ok() && c->has_value() && (*c)->build.id == b->id);
    EXPECT_TRUE(q.set_stage(b->id, (*c)->epoch, "intake").ok());
    EXPECT_TRUE(q.fail(b->id, (*c)->epoch, unavailable("registry unreachable"), true).ok());
    return b->id;
  }

  // Waits until `receiver` has taken `n` events (at most 60 s); whether it did.
  static bool wait_for(const testing::EventReceiver& receiver, std::size_t n) {
    for (int i = 0; i < 6000 && receiver.taken() < n; ++i) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    return receiver.taken() >= n;
  }

  std::int64_t depth() {
    auto o = store::SqliteEventOutbox::open(db());
    return o.ok() ? o->stats()->depth : -1;
  }

  testing::TempDir dir_;
};

TEST_F(EventDeliveryTest, EveryEventArrivesSignedOnceAndInOrder) {
  testing::EventReceiver receiver(kSecret);
  auto q = queue();
  auto delivery = start(options(receiver.url()));
  ASSERT_TRUE(delivery);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(submitted_and_retried(q, "acme-corp/app" + std::to_string(i)));
  auto failed = q.submit(*store::AppId::parse("other-org/x"), digest_of('5'), digest_of('c'),
                         store::BuildPriority::kNormal, {});
  ASSERT_TRUE(failed.ok());
  // 5 builds x 4 events, and the failed one's 3: queued, running, failed.
  auto c = q.claim("worker-2", seconds(30));
  ASSERT_TRUE(c.ok() && c->has_value() && (*c)->build.id == failed->id);
  ASSERT_TRUE(
      q.fail(failed->id, (*c)->epoch, invalid_argument("handler.py is missing"), false).ok());
  ASSERT_TRUE(wait_for(receiver, 5 * 4 + 3)) << receiver.taken();

  EXPECT_TRUE(receiver.out_of_order().empty()) << receiver.out_of_order().front();
  EXPECT_EQ(receiver.bad_signatures(), 0u);
  const auto builds = receiver.builds();
  for (const auto& id : ids) {
    ASSERT_EQ(builds.at(id).size(), 4u) << id;
    const auto& retry = builds.at(id)[3];
    EXPECT_EQ(retry.event.state(), bv1::BUILD_STATE_QUEUED);
    EXPECT_EQ(retry.event.error().code(), "UNAVAILABLE");
    EXPECT_EQ(retry.event.error().message(), "registry unreachable");
    // The JSON as documented: eventId, seq, time, org and app.
    auto json = nlohmann::json::parse(retry.body);
    EXPECT_EQ(json["eventId"], id + ":4");
    EXPECT_EQ(json["buildId"], id);
    EXPECT_EQ(json["seq"], "4");  // proto3 JSON writes 64-bit integers as strings
    EXPECT_EQ(json["state"], "BUILD_STATE_QUEUED");
    EXPECT_EQ(json["org"], "acme-corp");
    EXPECT_TRUE(json["app"].get<std::string>().rfind("app", 0) == 0);
    EXPECT_TRUE(json.contains("time"));
    EXPECT_EQ(json["codeHash"], digest_of('c'));
    EXPECT_FALSE(builds.at(id)[0].event.has_error());
  }
  const auto& end = builds.at(failed->id).back();
  EXPECT_EQ(end.event.state(), bv1::BUILD_STATE_FAILED);
  EXPECT_EQ(end.event.org(), "other-org");
  auto end_json = nlohmann::json::parse(end.body);
  EXPECT_EQ(end_json["error"]["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(end_json["error"]["message"], "handler.py is missing");
  // Everything delivered leaves the outbox.
  for (int i = 0; i < 500 && depth() != 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(depth(), 0);
  for (int i = 0; i < 500 && delivery->stats().delivered < 23; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(delivery->stats().delivered, 23);
}

// A version build's last event, its success, carries the version's SBOM and provenance digests
// beside its image digest, as the version records them; the earlier events leave them out.
TEST_F(EventDeliveryTest, AVersionsSucceededEventCarriesItsSbomAndProvenanceDigests) {
  testing::EventReceiver receiver(kSecret);
  auto q = queue();
  auto versions = store::SqliteVersionStore::open(db());
  ASSERT_TRUE(versions.ok()) << versions.status().to_string();
  auto delivery = start(options(receiver.url()));
  ASSERT_TRUE(delivery);
  const store::AppId app = *store::AppId::parse("acme-corp/greet");
  auto b = q.submit(app, digest_of('5'), digest_of('c'), store::BuildPriority::kNormal, {});
  ASSERT_TRUE(b.ok()) << b.status().to_string();
  auto c = q.claim("worker-1", seconds(30));
  ASSERT_TRUE(c.ok() && c->has_value() && (*c)->build.id == b->id);
  store::VersionRecord record;
  record.manifest_digest = digest_of('d');
  record.code_hash = digest_of('c');
  record.base_digest = digest_of('b');
  record.inputs = "{}";
  record.sbom_digest = digest_of('a');
  record.provenance_digest = digest_of('f');
  auto v = versions->commit_version(app, record, [&](store::StoreTx& tx, std::int64_t number) {
    store::BuildOutcome outcome{number, record.manifest_digest, ""};
    outcome.sbom_digest = record.sbom_digest;
    outcome.provenance_digest = record.provenance_digest;
    return q.succeed_in_transaction(tx, b->id, (*c)->epoch, outcome);
  });
  ASSERT_TRUE(v.ok()) << v.status().to_string();
  ASSERT_TRUE(wait_for(receiver, 3)) << receiver.taken();  // queued, running, succeeded

  EXPECT_EQ(receiver.bad_signatures(), 0u);
  const auto events = receiver.builds().at(b->id);
  ASSERT_EQ(events.size(), 3u);
  const auto end = nlohmann::json::parse(events[2].body);
  EXPECT_EQ(end["state"], "BUILD_STATE_SUCCEEDED");
  EXPECT_EQ(end["version"], 1);
  EXPECT_EQ(end["digest"], digest_of('d'));
  EXPECT_EQ(end["sbomDigest"], digest_of('a'));
  EXPECT_EQ(end["provenanceDigest"], digest_of('f'));
  EXPECT_EQ(events[2].event.sbom_digest(), digest_of('a'));
  for (int i = 0; i < 2; ++i) {
    const auto before = nlohmann::json::parse(events[i].body);
    EXPECT_FALSE(before.contains("sbomDigest")) << events[i].body;
    EXPECT_FALSE(before.contains("provenanceDigest")) << events[i].body;
  }
}

TEST_F(EventDeliveryTest, AReceiverThatIsDownOrRefusingLosesNothing) {
  testing::EventReceiver receiver(kSecret);
  auto q = queue();
  receiver.down();
  auto delivery = start(options(receiver.url()));
  ASSERT_TRUE(delivery);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i)
    ids.push_back(submitted_and_retried(q, "acme-corp/down" + std::to_string(i)));
  for (int i = 0; i < 500 && delivery->stats().failures == 0; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_GT(delivery->stats().failures, 0);
  EXPECT_NE(delivery->stats().last_error, "");
  EXPECT_EQ(depth(), 12);

  // Refusing before listening: set the other way round, a retry due at that instant could be
  // taken in between (CI saw 2 taken).
  receiver.refuse(true);
  receiver.up();  // up, but answering 503
  for (int i = 0; i < 500 && receiver.refused() == 0; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_GT(receiver.refused(), 0u);
  EXPECT_EQ(receiver.taken(), 0u);
  for (int i = 0; i < 3; ++i)
    ids.push_back(submitted_and_retried(q, "acme-corp/later" + std::to_string(i)));

  receiver.refuse(false);
  ASSERT_TRUE(wait_for(receiver, 24)) << receiver.taken();
  EXPECT_TRUE(receiver.out_of_order().empty()) << receiver.out_of_order().front();
  for (const auto& id : ids) EXPECT_EQ(receiver.builds().at(id).size(), 4u);
  EXPECT_EQ(delivery->stats().last_error, "");
}

TEST_F(EventDeliveryTest, AWrongSecretIsRefusedByTheReceiverAndNothingIsDropped) {
  testing::EventReceiver receiver(kSecret);
  auto q = queue();
  const std::string id = submitted_and_retried(q, "acme-corp/x");  // before the outbox: not sent
  {
    auto wrong = start(options(receiver.url(), "test:1", "another-secret"));
    ASSERT_TRUE(wrong);
    const std::string later = submitted_and_retried(q, "acme-corp/y");
    for (int i = 0; i < 500 && receiver.bad_signatures() == 0; ++i) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    EXPECT_GT(receiver.bad_signatures(), 0u);
    EXPECT_EQ(receiver.taken(), 0u);
    // The receiver counts the refusal as it answers; the deliverer records it once the answer
    // has arrived, a moment later: wait for that too (bounded), never assume it is there.
    const auto refused = [&] {
      return wrong->stats().last_error.find("HTTP 401") != std::string::npos;
    };
    for (int i = 0; i < 500 && !refused(); ++i) std::this_thread::sleep_for(milliseconds(10));
    EXPECT_TRUE(refused()) << wrong->stats().last_error;
  }  // stopped: its lease is given up, so the next deliverer starts at once
  auto right = start(options(receiver.url(), "test:2"));
  ASSERT_TRUE(right);
  ASSERT_TRUE(wait_for(receiver, 4));
  const auto builds = receiver.builds();
  EXPECT_EQ(builds.size(), 1u);
  EXPECT_EQ(builds.count(id), 0u) << "an event recorded before the outbox was on was sent";
}

TEST_F(EventDeliveryTest, OneDelivererPerStoreAndTheNextTakesOver) {
  testing::EventReceiver receiver(kSecret);
  auto q = queue();
  auto first = start(options(receiver.url(), "first:1"));
  ASSERT_TRUE(first);
  std::this_thread::sleep_for(milliseconds(50));  // let it take the lease (not required)
  auto second = start(options(receiver.url(), "second:2"));
  ASSERT_TRUE(second);
  for (int i = 0; i < 4; ++i) submitted_and_retried(q, "acme-corp/one" + std::to_string(i));
  ASSERT_TRUE(wait_for(receiver, 16));
  EXPECT_EQ(receiver.repeats(), 0u);
  EXPECT_TRUE(receiver.out_of_order().empty());
  // A deliverer counts an event once its acknowledgement is recorded, just after the receiver
  // took it.
  const auto counted = [&] { return first->stats().delivered + second->stats().delivered; };
  for (int i = 0; i < 500 && counted() < 16; ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(counted(), 16);
  EXPECT_TRUE(first->stats().delivered == 0 || second->stats().delivered == 0);

  const bool first_delivered = first->stats().delivered > 0;
  (first_delivered ? first : second).reset();  // the holder stops
  auto& remaining = first_delivered ? second : first;
  for (int i = 0; i < 2; ++i) submitted_and_retried(q, "acme-corp/two" + std::to_string(i));
  ASSERT_TRUE(wait_for(receiver, 24));
  for (int i = 0; i < 500 && remaining->stats().delivered < 8; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(remaining->stats().delivered, 8);
  EXPECT_EQ(receiver.repeats(), 0u);
}

TEST_F(EventDeliveryTest, BadOptionsAreRefused) {
  auto o = options("ftp://example/x");
  auto d = EventDelivery::start(dir_.path(), o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kInvalidArgument);
  EXPECT_NE(d.status().message().find("not an http:// or https:// URL"), std::string::npos);
  o = options("http://127.0.0.1:1/x", "test:1", "");
  d = EventDelivery::start(dir_.path(), o);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("secret is empty"), std::string::npos);
}

TEST(EventSignatureTest, MatchesTheDocumentedHmac) {
  // printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac key
  EXPECT_EQ(event_signature("key", 1700000000, R"({"a":1})"),
            "sha256=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03");
  EXPECT_TRUE(signature_matches("key", "1700000000", R"({"a":1})",
                                event_signature("key", 1700000000, R"({"a":1})")));
  EXPECT_FALSE(signature_matches("key", "1700000001", R"({"a":1})",
                                 event_signature("key", 1700000000, R"({"a":1})")));
  EXPECT_FALSE(signature_matches("other", "1700000000", R"({"a":1})",
                                 event_signature("key", 1700000000, R"({"a":1})")));
  EXPECT_FALSE(signature_matches("key", "1700000000", R"({"a":2})",
                                 event_signature("key", 1700000000, R"({"a":1})")));
}

}  // namespace
}  // namespace ignite::events
