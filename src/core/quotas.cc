// Quotas: what one agent may cost the orchestrator (events per second, log
// events per job, bytes stored). Checked before anything is written.
#include <string>

#include "core/job_rules.h"
#include "core/service.h"

namespace ff::core {

namespace {

// Whether the event finishes a job of either kind (the one event a full job log still takes).
bool finishes_a_job(const std::string& event_type) {
  for (const char* kind : {"restore", "backup"}) {
    auto to = status_for_event(kind, event_type);
    if (to && is_terminal_job_status(*to)) return true;
  }
  return false;
}

// Bounds the cache; it is re-seeded from the store on demand.
constexpr size_t kMaxTrackedJobs = 100000;

}  // namespace

Status Service::check_event_quotas(const std::string& agent_id, const AgentEventInput& e,
                                   int* retry_after) {
  bool terminal = e.job_id && finishes_a_job(e.event_type);
  // A job's terminal event is never refused for rate: it is taken once per job
  // (after that, 409 before anything is written), so it cannot flood the log.
  if (!terminal) {
    int wait = 1;
    Status limited = event_limiter_.acquire(agent_id, &wait);
    if (!limited.ok()) {
      if (retry_after) *retry_after = wait;
      return RateLimited("agent " + agent_id + " is posting events faster than " +
                         std::to_string(options_.agent_events_per_second) +
                         "/s (ORCH_AGENT_EVENTS_PER_SECOND); retry after " + std::to_string(wait) +
                         " s");
    }
  }
  if (!e.job_id || terminal) return OkStatus();
  int64_t stored = -1;
  {
    std::lock_guard lock(job_events_mu_);
    auto it = job_events_.find(*e.job_id);
    if (it != job_events_.end()) stored = it->second;
  }
  if (stored < 0) {
    // First sight in this process: ask the store (a job unknown to it has none).
    auto events = store_.list_job_events(*e.job_id);
    if (!events.ok()) return events.status();
    stored = static_cast<int64_t>(events->size());
    std::lock_guard lock(job_events_mu_);
    if (job_events_.size() >= kMaxTrackedJobs) job_events_.clear();
    job_events_.emplace(*e.job_id, stored);
  }
  if (stored >= options_.max_job_events) {
    return Conflict("job " + *e.job_id + " has reached its limit of " +
                    std::to_string(options_.max_job_events) +
                    " log events (ORCH_MAX_JOB_EVENTS); only the event that finishes it is taken");
  }
  return OkStatus();
}

void Service::count_job_event(const std::string& job_id, const std::string& event_type) {
  std::lock_guard lock(job_events_mu_);
  if (finishes_a_job(event_type)) {
    job_events_.erase(job_id);
    return;
  }
  auto it = job_events_.find(job_id);
  if (it != job_events_.end()) ++it->second;
}

Status Service::check_storage_quota(const std::string& agent_id, int64_t adding) {
  if (options_.agent_quota_bytes == 0) return OkStatus();
  store::SnapshotFilter f;
  f.agent_id = agent_id;
  // Packs count by what they store; repository snapshots add nothing more.
  FF_ASSIGN_OR_RETURN(int64_t pack_bytes, store_.agent_pack_bytes(agent_id));
  uint64_t held = static_cast<uint64_t>(adding) + static_cast<uint64_t>(pack_bytes);
  store::Page page{1000, 0};
  for (;;) {
    FF_ASSIGN_OR_RETURN(auto listing, store_.list_snapshots(f, page));
    for (const auto& s : listing.items) {
      if (s.status != kSnapshotCorrupt && s.format == kFormatTar) {
        held += static_cast<uint64_t>(s.size);
      }
    }
    page.offset += static_cast<int64_t>(listing.items.size());
    if (listing.items.empty() || page.offset >= listing.total) break;
  }
  if (held > options_.agent_quota_bytes) {
    return TooLarge("agent " + agent_id + " would hold " + std::to_string(held) +
                    " bytes of snapshots and packs, over its quota of " +
                    std::to_string(options_.agent_quota_bytes) +
                    " bytes (ORCH_AGENT_QUOTA_BYTES); delete snapshots first");
  }
  return OkStatus();
}

}  // namespace ff::core
