#include "alerts/webhook_dispatcher.h"

#include <algorithm>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "common/hex.h"
#include "common/time.h"

namespace ff::alerts {

namespace {

bool subscribed(const store::Webhook& w, const std::string& event) {
  return std::find(w.events.begin(), w.events.end(), event) != w.events.end();
}

// The record's own time, so a delivery delayed by retries still says when it happened.
SystemTime record_time(const nlohmann::json& r, SystemTime fallback) {
  auto it = r.find("timestamp");
  if (it == r.end() || !it->is_string()) return fallback;
  auto t = parse_rfc3339(it->get<std::string>());
  return t.ok() ? *t : fallback;
}

}  // namespace

std::string signature(const std::string& secret, const std::string& body) {
  return "sha256=" + to_hex(hmac_sha256(secret, body));
}

WebhookDispatcher::WebhookDispatcher(store::Store& store, const sys::Env& env,
                                     DispatcherOptions options, PostFn post)
    : store_(store),
      env_(env),
      options_(options),
      post_(std::move(post)),
      offline_(options.agent_offline_after) {}

WebhookDispatcher::~WebhookDispatcher() { stop(); }

void WebhookDispatcher::start(std::unique_ptr<store::SingletonLock> offline_singleton) {
  offline_singleton_ = std::move(offline_singleton);
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void WebhookDispatcher::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookDispatcher::notify(core::Alert alert) { push(std::move(alert)); }

void WebhookDispatcher::on_record(const wal::RecordPtr& record) {
  if (core::may_raise_alert(record->event)) push(record);
}

void WebhookDispatcher::push(Item item) {
  {
    std::lock_guard lock(mu_);
    if (inbox_.size() < options_.max_inbox) {
      inbox_.push_back(std::move(item));
      cv_.notify_one();
      return;
    }
  }
  if (dropped_.fetch_add(1) % 100 == 0) {
    spdlog::warn("alerts: inbox full ({} waiting), alert dropped ({} so far)", options_.max_inbox,
                 dropped_.load());
  }
}

void WebhookDispatcher::run() {
  auto next_offline_check = env_.clock->monotonic_now();
  for (;;) {
    std::deque<Item> items;
    {
      std::unique_lock lock(mu_);
      auto wake = next_offline_check;
      for (const auto& d : pending_) wake = std::min(wake, d.due);
      // The condition variable waits on the real clock; the simulated one in
      // tests moves with it only when told, so waits are short and re-checked.
      auto wait = std::clamp(wake - env_.clock->monotonic_now(),
                             std::chrono::steady_clock::duration::zero(),
                             std::chrono::steady_clock::duration(std::chrono::milliseconds(200)));
      cv_.wait_for(lock, wait, [&] { return stopping_.load() || !inbox_.empty(); });
      if (stopping_) return;
      items.swap(inbox_);
    }
    std::vector<core::Alert> alerts;
    for (auto& item : items) {
      if (auto* a = std::get_if<core::Alert>(&item)) {
        alerts.push_back(std::move(*a));
        continue;
      }
      const auto& record = std::get<wal::RecordPtr>(item);
      auto parsed = nlohmann::json::parse(record->line, nullptr, false);
      if (parsed.is_discarded()) continue;
      auto alert =
          core::alert_for_record(record->event, parsed, record_time(parsed, env_.clock->now()));
      if (alert) alerts.push_back(std::move(*alert));
    }
    if (!alerts.empty()) fan_out(std::move(alerts));
    if (env_.clock->monotonic_now() >= next_offline_check) {
      check_offline();
      next_offline_check = env_.clock->monotonic_now() + options_.offline_check_interval;
    }
    // Due deliveries, oldest first; each attempt may take up to the timeout.
    std::sort(pending_.begin(), pending_.end(),
              [](const Delivery& a, const Delivery& b) { return a.due < b.due; });
    auto now = env_.clock->monotonic_now();
    std::vector<Delivery> due;
    while (!pending_.empty() && pending_.front().due <= now) {
      due.push_back(std::move(pending_.front()));
      pending_.erase(pending_.begin());
    }
    for (auto& d : due) {
      if (stopping_) return;
      attempt(std::move(d));
    }
  }
}

void WebhookDispatcher::check_offline() {
  if (offline_singleton_ && !offline_singleton_->held_now()) return;
  auto agents = store_.list_agents();
  if (!agents.ok()) {
    spdlog::warn("alerts: agent offline check: {}", agents.status().to_string());
    return;
  }
  auto alerts = offline_.check(*agents, env_.clock->now());
  if (!alerts.empty()) fan_out(std::move(alerts));
}

void WebhookDispatcher::fan_out(std::vector<core::Alert> alerts) {
  auto hooks = store_.list_webhooks();
  if (!hooks.ok()) {
    spdlog::warn("alerts: {} alert(s) not delivered: webhooks unreadable: {}", alerts.size(),
                 hooks.status().to_string());
    return;
  }
  for (const auto& a : alerts) {
    std::string id = env_.random->unique_id("whd-");
    nlohmann::json body = {
        {"id", id}, {"event", a.event}, {"created_at", format_rfc3339_ms(a.at)}, {"data", a.data}};
    std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    for (const auto& w : *hooks) {
      if (!subscribed(w, a.event)) continue;
      if (pending_.size() >= options_.max_pending) {
        dropped_.fetch_add(1);
        spdlog::warn("alerts: {} deliveries pending, {} to webhook {} dropped",
                     options_.max_pending, a.event, w.id);
        continue;
      }
      pending_.push_back(
          Delivery{w.id, w.url, w.secret, a.event, id, text, 0, env_.clock->monotonic_now()});
    }
  }
}

void WebhookDispatcher::attempt(Delivery d) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/json"},
      {"X-FortFail-Event", d.event},
      {"X-FortFail-Delivery", d.id},
      {"X-FortFail-Signature", signature(d.secret, d.body)},
  };
  PostResult r = post_(d.url, headers, d.body, options_.timeout, &stopping_);
  bool ok = r.status && *r.status >= 200 && *r.status < 300;
  std::string error = ok ? "" : r.status ? "HTTP " + std::to_string(*r.status) : r.error;
  ++d.attempt;
  if (Status s =
          store_.record_webhook_attempt(d.webhook_id, ok, r.status, error, env_.clock->now());
      !s.ok()) {
    // Deleted meanwhile: nothing left to deliver to.
    if (s.code() == Code::kNotFound) return;
    spdlog::warn("alerts: webhook {}: recording a delivery: {}", d.webhook_id, s.to_string());
  }
  if (ok) return;
  if (d.attempt >= options_.max_attempts) {
    spdlog::warn("alerts: webhook {}: {} delivery {} failed after {} attempts: {}", d.webhook_id,
                 d.event, d.id, d.attempt, error);
    return;
  }
  auto backoff = options_.first_retry * (1 << std::min(d.attempt - 1, 16));
  d.due = env_.clock->monotonic_now() +
          std::min<std::chrono::milliseconds>(backoff, options_.max_retry);
  spdlog::info("alerts: webhook {}: {} delivery {} attempt {} failed ({}); retrying", d.webhook_id,
               d.event, d.id, d.attempt, error);
  pending_.push_back(std::move(d));
}

}  // namespace ff::alerts
