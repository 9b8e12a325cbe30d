#include "core/alerts.h"

#include <algorithm>
#include <set>

#include "core/job_rules.h"

namespace ff::core {

namespace {
constexpr std::string_view kEvents[] = {kAlertJobFailed, kAlertSnapshotCorrupt, kAlertAgentOffline,
                                        kAlertBackupMissed, kAlertDrillFailed};

std::string string_field(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
}  // namespace

std::span<const std::string_view> alert_events() { return kEvents; }

bool is_alert_event(std::string_view name) {
  return std::find(std::begin(kEvents), std::end(kEvents), name) != std::end(kEvents);
}

bool may_raise_alert(std::string_view wal_event) {
  return wal_event == "job_status_changed" || wal_event == "snapshot_corrupt";
}

std::optional<Alert> alert_for_record(std::string_view event, const nlohmann::json& r,
                                      SystemTime at) {
  if (event == "job_status_changed" && string_field(r, "status") == kFailed) {
    // A failed drill is the alert of its own: the snapshot could not be proven restorable.
    const char* name = string_field(r, "kind") == job_kind_name(store::JobKind::kDrill)
                           ? kAlertDrillFailed
                           : kAlertJobFailed;
    return Alert{name,
                 {{"job_id", string_field(r, "job_id")},
                  {"kind", string_field(r, "kind")},
                  {"agent_id", string_field(r, "agent_id")},
                  {"from", string_field(r, "from")},
                  {"status", kFailed},
                  {"wal_seq", r.value("seq", uint64_t{0})}},
                 at};
  }
  if (event == "snapshot_corrupt") {
    nlohmann::json data = {{"snapshot_id", string_field(r, "snapshot_id")},
                           {"agent_id", string_field(r, "agent_id")},
                           {"status", kSnapshotCorrupt},
                           {"wal_seq", r.value("seq", uint64_t{0})}};
    for (const char* k : {"expected_checksum", "actual_checksum", "expected_size", "actual_size"}) {
      if (r.contains(k)) data[k] = r[k];
    }
    return Alert{kAlertSnapshotCorrupt, std::move(data), at};
  }
  return std::nullopt;
}

std::vector<Alert> OfflineTracker::check(const std::vector<store::Agent>& agents, SystemTime now) {
  std::vector<Alert> out;
  std::map<std::string, SystemTime> still;
  for (const auto& a : agents) {
    bool offline = now - a.last_seen > after_;
    if (!offline) continue;
    auto it = alerted_.find(a.id);
    if (it != alerted_.end() && it->second == a.last_seen) {
      still.emplace(a.id, a.last_seen);
      continue;
    }
    still.emplace(a.id, a.last_seen);
    if (!primed_) continue;
    int64_t unseen = std::chrono::duration_cast<std::chrono::seconds>(now - a.last_seen).count();
    out.push_back(Alert{kAlertAgentOffline,
                        {{"agent_id", a.id},
                         {"last_seen", format_rfc3339(a.last_seen)},
                         {"unseen_seconds", unseen},
                         {"threshold_seconds", after_.count()}},
                        now});
  }
  // Agents seen again (or gone) leave the set: their next offline period alerts anew.
  alerted_ = std::move(still);
  primed_ = true;
  return out;
}

Status validate_webhook(const std::string& url, const std::vector<std::string>& events,
                        const std::string& secret) {
  std::string_view u = url;
  size_t scheme = u.rfind("https://", 0) == 0 ? 8 : u.rfind("http://", 0) == 0 ? 7 : 0;
  if (scheme == 0) return ValidationError("url: expected an http:// or https:// URL");
  if (u.size() > 2048) return ValidationError("url: at most 2048 characters");
  if (u.size() == scheme || u[scheme] == '/' || u[scheme] == ':') {
    return ValidationError("url: no host");
  }
  for (char c : u) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return ValidationError("url: must not contain spaces or control characters");
    }
  }
  if (events.empty()) return ValidationError("events: at least one event name");
  std::set<std::string> seen;
  for (const auto& e : events) {
    if (!is_alert_event(e)) {
      return InvalidArgument("events: unknown event \"" + e +
                             "\" (expected job.failed, snapshot.corrupt, agent.offline, "
                             "backup.missed or drill.failed)");
    }
    if (!seen.insert(e).second) return ValidationError("events: \"" + e + "\" listed twice");
  }
  if (secret.size() < 16 || secret.size() > 256) {
    return ValidationError("secret: 16 to 256 characters");
  }
  return OkStatus();
}

}  // namespace ff::core
