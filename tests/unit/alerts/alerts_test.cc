// core/alerts.h rules and the WebhookDispatcher with a fake receiver over a
// real (in-memory SQLite) store.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "alerts/webhook_dispatcher.h"
#include "common/hex.h"
#include "core/alerts.h"

namespace ff::alerts {
namespace {

using namespace std::chrono_literals;

TEST(Alerts, FailedJobRecordRaisesJobFailed) {
  nlohmann::json r = {
      {"seq", 7},         {"event", "job_status_changed"}, {"kind", "backup"},  {"job_id", "j1"},
      {"agent_id", "a1"}, {"from", "in_progress"},         {"status", "failed"}};
  auto a = core::alert_for_record("job_status_changed", r, SystemTime{});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->event, "job.failed");
  EXPECT_EQ(a->data["job_id"], "j1");
  EXPECT_EQ(a->data["kind"], "backup");
  EXPECT_EQ(a->data["wal_seq"], 7);
  r["status"] = "completed";
  EXPECT_FALSE(core::alert_for_record("job_status_changed", r, SystemTime{}));
}

TEST(Alerts, CorruptSnapshotRecordRaisesSnapshotCorrupt) {
  nlohmann::json r = {{"snapshot_id", "s1"}, {"agent_id", "a1"}, {"actual_size", 3}};
  auto a = core::alert_for_record("snapshot_corrupt", r, SystemTime{});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->event, "snapshot.corrupt");
  EXPECT_EQ(a->data["snapshot_id"], "s1");
  EXPECT_EQ(a->data["actual_size"], 3);
  EXPECT_FALSE(core::alert_for_record("snapshot_uploaded", r, SystemTime{}));
  EXPECT_TRUE(core::may_raise_alert("snapshot_corrupt"));
  EXPECT_FALSE(core::may_raise_alert("token_minted"));
}

TEST(Alerts, OfflineFiresOncePerOfflinePeriod) {
  core::OfflineTracker t(60s);
  SystemTime t0 = from_unix_seconds(1'800'000'000);
  std::vector<store::Agent> agents(2);
  agents[0].id = "old";  // already offline at the first check: counts as alerted
  agents[0].last_seen = t0 - 3600s;
  agents[1].id = "a";
  agents[1].last_seen = t0;
  EXPECT_TRUE(t.check(agents, t0).empty());
  EXPECT_TRUE(t.check(agents, t0 + 60s).empty());  // not longer than the threshold
  auto fired = t.check(agents, t0 + 61s);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].event, "agent.offline");
  EXPECT_EQ(fired[0].data["agent_id"], "a");
  EXPECT_EQ(fired[0].data["unseen_seconds"], 61);
  EXPECT_TRUE(t.check(agents, t0 + 600s).empty());  // same period: once
  agents[1].last_seen = t0 + 700s;                  // seen again
  EXPECT_TRUE(t.check(agents, t0 + 710s).empty());
  EXPECT_EQ(t.check(agents, t0 + 800s).size(), 1u);  // a new period
}

TEST(Alerts, WebhookSettingsAreChecked) {
  const std::string secret(16, 's');
  EXPECT_TRUE(core::validate_webhook("https://h/x", {"job.failed", "drill.failed"}, secret).ok());
  Status unknown = core::validate_webhook("https://h/x", {"job.failed", "job.exploded"}, secret);
  EXPECT_EQ(unknown.code(), Code::kInvalidArgument);
  EXPECT_NE(unknown.message().find("job.exploded"), std::string::npos);
  EXPECT_EQ(core::validate_webhook("ftp://h/", {"job.failed"}, secret).code(), Code::kValidation);
  EXPECT_EQ(core::validate_webhook("http://", {"job.failed"}, secret).code(), Code::kValidation);
  EXPECT_EQ(core::validate_webhook("http://h/ x", {"job.failed"}, secret).code(),
            Code::kValidation);
  EXPECT_EQ(core::validate_webhook("http://h/", {}, secret).code(), Code::kValidation);
  EXPECT_EQ(core::validate_webhook("http://h/", {"job.failed", "job.failed"}, secret).code(),
            Code::kValidation);
  EXPECT_EQ(core::validate_webhook("http://h/", {"job.failed"}, "short").code(), Code::kValidation);
}

TEST(Alerts, SignatureIsHmacSha256HexWithPrefix) {
  // RFC 4231 test case 2.
  EXPECT_EQ(signature("Jefe", "what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::open_store("sqlite://:memory:");
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    store_ = std::move(s).value();
    ASSERT_TRUE(store_->migrate().ok());
    env_ = sys::posix_env();
  }

  store::Webhook hook(const std::string& id, std::vector<std::string> events) {
    store::Webhook w;
    w.id = id;
    w.url = "http://receiver/" + id;
    w.events = std::move(events);
    w.secret = "secret-" + id + "-0123456789";
    w.created_at = from_unix_seconds(1'800'000'000);
    EXPECT_TRUE(store_->insert_webhook(w).ok());
    return w;
  }

  struct Call {
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
  };
  std::mutex mu_;
  std::vector<Call> calls_;  // guarded by mu_
  std::function<PostResult(size_t)> answer_ = [](size_t) { return PostResult{200, ""}; };

  PostFn fake() {
    return [this](const std::string& url, const std::vector<std::pair<std::string, std::string>>& h,
                  const std::string& body, std::chrono::milliseconds, const std::atomic<bool>*) {
      std::lock_guard lock(mu_);
      calls_.push_back({url, h, body});
      return answer_(calls_.size());
    };
  }
  size_t call_count() {
    std::lock_guard lock(mu_);
    return calls_.size();
  }
  bool wait_calls(size_t n) {
    for (int i = 0; i < 500 && call_count() < n; ++i) std::this_thread::sleep_for(10ms);
    return call_count() >= n;
  }

  std::unique_ptr<store::Store> store_;
  sys::Env env_;
};

DispatcherOptions fast() {
  DispatcherOptions o;
  o.first_retry = 10ms;
  o.max_attempts = 3;
  o.offline_check_interval = 1h;
  return o;
}

TEST_F(DispatcherTest, DeliversSignedToSubscribersOnly) {
  auto a = hook("wh-a", {"job.failed"});
  hook("wh-b", {"snapshot.corrupt"});
  WebhookDispatcher d(*store_, env_, fast(), fake());
  d.start();
  d.notify(core::Alert{"job.failed", {{"job_id", "j1"}}, SystemTime{}});
  ASSERT_TRUE(wait_calls(1));
  std::this_thread::sleep_for(50ms);
  d.stop();
  ASSERT_EQ(call_count(), 1u);
  const Call& c = calls_[0];
  EXPECT_EQ(c.url, a.url);
  auto body = nlohmann::json::parse(c.body);
  EXPECT_EQ(body["event"], "job.failed");
  EXPECT_EQ(body["data"]["job_id"], "j1");
  std::map<std::string, std::string> h(c.headers.begin(), c.headers.end());
  EXPECT_EQ(h["X-FortFail-Signature"], signature(a.secret, c.body));
  EXPECT_EQ(h["X-FortFail-Event"], "job.failed");
  EXPECT_EQ(h["X-FortFail-Delivery"], body["id"].get<std::string>());
  auto shown = store_->get_webhook("wh-a");
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->last_status, 200);
  EXPECT_FALSE(shown->last_error);
  EXPECT_EQ(shown->deliveries, 1);
}

TEST_F(DispatcherTest, RetriesWithBackoffUpToMaxAttemptsAndRecordsTheError) {
  hook("wh-a", {"job.failed"});
  answer_ = [](size_t) { return PostResult{std::nullopt, "Couldn't connect to server"}; };
  WebhookDispatcher d(*store_, env_, fast(), fake());
  d.start();
  d.notify(core::Alert{"job.failed", {}, SystemTime{}});
  ASSERT_TRUE(wait_calls(3));
  std::this_thread::sleep_for(100ms);
  d.stop();
  EXPECT_EQ(call_count(), 3u);
  EXPECT_EQ(calls_[0].body, calls_[2].body);
  auto shown = store_->get_webhook("wh-a");
  ASSERT_TRUE(shown.ok());
  EXPECT_FALSE(shown->last_status);
  EXPECT_EQ(shown->last_error, "Couldn't connect to server");
  EXPECT_EQ(shown->failures, 3);
  EXPECT_TRUE(shown->last_delivery_at);
}

TEST_F(DispatcherTest, RecordsFromTheWalRaiseAlerts) {
  hook("wh-a", {"snapshot.corrupt"});
  WebhookDispatcher d(*store_, env_, fast(), fake());
  d.start();
  auto rec = std::make_shared<wal::Record>();
  rec->seq = 3;
  rec->event = "snapshot_corrupt";
  rec->line = R"({"seq":3,"event":"snapshot_corrupt","snapshot_id":"s9","agent_id":"a"})";
  d.on_record(rec);
  ASSERT_TRUE(wait_calls(1));
  d.stop();
  EXPECT_EQ(nlohmann::json::parse(calls_[0].body)["data"]["snapshot_id"], "s9");
}

TEST_F(DispatcherTest, FullInboxDropsInsteadOfBlocking) {
  hook("wh-a", {"job.failed"});
  DispatcherOptions o = fast();
  o.max_inbox = 2;
  WebhookDispatcher d(*store_, env_, o, fake());  // not started: nothing drains
  for (int i = 0; i < 5; ++i) d.notify(core::Alert{"job.failed", {}, SystemTime{}});
  EXPECT_EQ(d.dropped(), 3u);
}

}  // namespace
}  // namespace ff::alerts
