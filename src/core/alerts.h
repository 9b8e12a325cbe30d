// Alerts: the events operators are told about (docs/alerts.md), their exact
// names, where each comes from, and the one interface producers call.
//
//   job.failed        a restore, backup or verify job reached `failed` (from
//                     the WAL record job_status_changed)
//   snapshot.corrupt  a snapshot's object failed verification (WAL record
//                     snapshot_corrupt)
//   agent.offline     an agent unseen for ORCH_AGENT_OFFLINE_ALERT_SECONDS,
//                     once per offline period (OfflineTracker)
//   backup.missed     a scheduled backup did not run (schedules, through
//                     AlertNotifier::notify)
//   drill.failed      a restore drill reached `failed` (job_status_changed
//                     of kind drill)
//
// Not guaranteed: delivery. Alerts are best effort: a bounded queue drops
// (and counts) alerts when receivers fall far behind, and a restart loses
// alerts not yet delivered.
//
// Thread-safety: the free functions are pure; OfflineTracker belongs to one
// thread; AlertNotifier implementations are safe from any thread.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "common/time.h"
#include "store/store.h"

namespace ff::core {

inline constexpr char kAlertJobFailed[] = "job.failed";
inline constexpr char kAlertSnapshotCorrupt[] = "snapshot.corrupt";
inline constexpr char kAlertAgentOffline[] = "agent.offline";
inline constexpr char kAlertBackupMissed[] = "backup.missed";
inline constexpr char kAlertDrillFailed[] = "drill.failed";

// Every alert event name, in the order docs list them.
std::span<const std::string_view> alert_events();
bool is_alert_event(std::string_view name);

struct Alert {
  std::string event;    // one of alert_events()
  nlohmann::json data;  // the event's fields (ids, statuses, times); never a secret
  SystemTime at;
};

// Where producers send alerts. notify() never blocks on a receiver: it
// queues (or drops when the queue is full) and returns.
class AlertNotifier {
 public:
  virtual ~AlertNotifier() = default;
  virtual void notify(Alert alert) = 0;
};

// The alert a durable WAL record raises, if any: `event` is the record's
// event name, `record` its parsed line, `at` when it was written.
std::optional<Alert> alert_for_record(std::string_view event, const nlohmann::json& record,
                                      SystemTime at);
// Whether a record with this event name may raise an alert (a cheap filter
// before parsing the line).
bool may_raise_alert(std::string_view wal_event);

// agent.offline, once per offline period: an agent fires when unseen for
// longer than `after`, and again only after it was seen again. Agents
// already offline the first time check() runs count as alerted (a restart
// does not repeat alerts).
class OfflineTracker {
 public:
  explicit OfflineTracker(std::chrono::seconds after) : after_(after) {}
  std::vector<Alert> check(const std::vector<store::Agent>& agents, SystemTime now);

 private:
  std::chrono::seconds after_;
  bool primed_ = false;
  std::map<std::string, SystemTime> alerted_;  // agent id -> last_seen it was alerted for
};

// Webhook settings checked before they are stored: `url` http(s) with a
// host, `events` non-empty known names without repeats (kInvalidArgument
// naming an unknown one), `secret` 16 to 256 characters.
Status validate_webhook(const std::string& url, const std::vector<std::string>& events,
                        const std::string& secret);

}  // namespace ff::core
