// WebhookDispatcher: delivers alerts (core/alerts.h) to the webhooks that
// subscribed to them, on its own thread, so a slow or dead receiver never
// holds up the API (docs/alerts.md).
//
// Inputs never block: notify() and on_record() put the alert (or the WAL
// record that may raise one) in a bounded inbox; when it is full the alert
// is dropped, logged and counted. The delivery thread fans each alert out to
// the subscribed webhooks (read from the store), POSTs the JSON body with
// `X-FortFail-Signature: sha256=<hex HMAC-SHA-256 of the body under the
// webhook's secret>`, each attempt bounded by `timeout`, and retries failures
// (no answer or a non-2xx status) with exponential backoff up to
// `max_attempts`. Every attempt is recorded on the webhook (last status,
// last error, last delivery time). The same thread checks for agents gone
// offline (core::OfflineTracker) every `offline_check_interval`.
//
// Not guaranteed: delivery (best effort: pending deliveries are lost at
// shutdown or when over `max_pending`), or order across webhooks.
//
// Thread-safety: notify() and on_record() from any thread; start() and
// stop() from one thread. `store`, `env` and `metrics` must outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "alerts/http_post.h"
#include "core/alerts.h"
#include "store/store.h"
#include "sys/env.h"
#include "wal/format.h"

namespace ff::alerts {

struct DispatcherOptions {
  std::chrono::milliseconds timeout{5000};  // one attempt, connect included
  int max_attempts = 5;
  std::chrono::milliseconds first_retry{1000};  // then doubling
  std::chrono::milliseconds max_retry{60000};
  size_t max_inbox = 1000;     // alerts waiting for fan-out
  size_t max_pending = 10000;  // deliveries waiting for an attempt
  std::chrono::seconds agent_offline_after{600};
  std::chrono::milliseconds offline_check_interval{5000};
};

// How one attempt is made; tests pass a fake.
using PostFn = std::function<PostResult(
    const std::string& url, const std::vector<std::pair<std::string, std::string>>&,
    const std::string& body, std::chrono::milliseconds timeout, const std::atomic<bool>* cancel)>;

// "sha256=" + lowercase hex HMAC-SHA-256 of `body` under `secret`.
std::string signature(const std::string& secret, const std::string& body);

class WebhookDispatcher final : public core::AlertNotifier {
 public:
  WebhookDispatcher(store::Store& store, const sys::Env& env, DispatcherOptions options,
                    PostFn post = http_post);
  ~WebhookDispatcher() override;  // stop()s

  // With `offline_singleton` (replicas), agent.offline is checked only while
  // this replica holds it, so one replica sends each such alert.
  void start(std::unique_ptr<store::SingletonLock> offline_singleton = nullptr);
  // Ends the thread, aborting an attempt in flight; pending deliveries are dropped.
  void stop();

  void notify(core::Alert alert) override;
  // The WAL subscriber: queues records that may raise an alert (cheap filter
  // by event name; parsed on the delivery thread).
  void on_record(const wal::RecordPtr& record);

  uint64_t dropped() const { return dropped_.load(); }

 private:
  struct Delivery {
    std::string webhook_id;
    std::string url;
    std::string secret;
    std::string event;
    std::string id;
    std::string body;
    int attempt = 0;
    std::chrono::steady_clock::time_point due;
  };
  using Item = std::variant<core::Alert, wal::RecordPtr>;

  void push(Item item);
  void run();
  void fan_out(std::vector<core::Alert> alerts);
  void check_offline();
  void attempt(Delivery d);

  store::Store& store_;
  sys::Env env_;
  DispatcherOptions options_;
  PostFn post_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> dropped_{0};
  std::thread thread_;
  core::OfflineTracker offline_;                             // delivery thread only
  std::unique_ptr<store::SingletonLock> offline_singleton_;  // delivery thread only
  std::vector<Delivery> pending_;                            // delivery thread only
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> inbox_;  // guarded by mu_
};

}  // namespace ff::alerts
