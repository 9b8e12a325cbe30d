#include "core/service.h"

#include <spdlog/spdlog.h>

#include "common/hex.h"
#include "common/ids.h"

namespace ff::core {

Service::Service(const sys::Env& env, store::Store& store, blob::BlobStore& blobs, wal::Writer& wal,
                 const auth::TokenService& tokens, auth::Revocations& revocations,
                 Notifier& notifier, ServiceOptions options)
    : env_(env),
      store_(store),
      blobs_(blobs),
      wal_(wal),
      tokens_(tokens),
      revocations_(revocations),
      notifier_(notifier),
      options_(std::move(options)),
      event_limiter_(*env_.clock, options_.agent_event_burst, options_.agent_events_per_second) {
  // Acknowledged means durable in the database too: each WAL group commit
  // also syncs the database's commits (SQLite; free on PostgreSQL), and where
  // the database batches changes, commits those of its batch
  // (commit_with_audit).
  wal_.set_companion_sync([&store] { return store.sync_commits(); });
  if (store.batches_changes()) {
    wal_.set_change_batch({[&store] { return store.open_change_batch(); },
                           [&store] { return store.commit_change_batch(); }});
  }
}

namespace {

nlohmann::json with_replica(const nlohmann::json& fields, const std::string& replica) {
  nlohmann::json out = fields.is_null() ? nlohmann::json::object() : fields;
  out["replica"] = replica;
  return out;
}

}  // namespace

Result<wal::PreparedRecord> Service::prepare_audit(const audit::Entry& e) {
  auto r = options_.replica_id.empty()
               ? wal_.prepare(e.event, e.fields)
               : wal_.prepare(e.event, with_replica(e.fields, options_.replica_id));
  if (!r.ok() && r.status().code() == Code::kInvalidArgument) {
    // Too large (or not UTF-8): the client's content did it, and nothing is committed yet.
    return ValidationError(e.event + ": too large for the audit log (" + r.status().message() +
                           "); shorten the message, metadata or paths");
  }
  return r;
}

Result<wal::RecordPtr> Service::audit(const audit::Entry& e) {
  FF_ASSIGN_OR_RETURN(wal::PreparedRecord record, prepare_audit(e));
  return commit_audit(record);
}

Result<wal::RecordPtr> Service::audit_wal_only(const audit::Entry& e) {
  FF_ASSIGN_OR_RETURN(wal::PreparedRecord record, prepare_audit(e));
  return append_audit(record);
}

Result<wal::RecordPtr> Service::commit_audit(const wal::PreparedRecord& record) {
  return acknowledged_audit(record, append_audit(record));
}

Result<wal::RecordPtr> Service::commit_change_with_audit(const wal::PreparedRecord& record,
                                                         const std::function<Status()>& change) {
  if (!wal_.batches_changes()) {
    FF_TRY(change());
    return commit_audit(record);
  }
  std::optional<Status> changed;
  auto appended = wal_.append(record, [&] {
    changed = change();
    return *changed;
  });
  // The change's own failure; else, if its record was not written, the
  // batch's commit or the WAL's failure.
  if (changed && !changed->ok()) return *changed;
  return acknowledged_audit(record, appended_audit(record, std::move(appended)));
}

Result<wal::RecordPtr> Service::acknowledged_audit(const wal::PreparedRecord& record,
                                                   Result<wal::RecordPtr> appended) {
  FF_ASSIGN_OR_RETURN(wal::RecordPtr r, std::move(appended));
  if (stream_wait_) {
    if (Status s = stream_wait_(r->seq); !s.ok()) {
      spdlog::error("{} (WAL record {}) not acknowledged: {}", record.event, r->seq, s.to_string());
      return s;
    }
  }
  return r;
}

Result<wal::RecordPtr> Service::append_audit(const wal::PreparedRecord& record) {
  return appended_audit(record, wal_.append(record));
}

Result<wal::RecordPtr> Service::appended_audit(const wal::PreparedRecord& record,
                                               Result<wal::RecordPtr> r) {
  if (!r.ok()) {
    spdlog::error("wal append of {} failed: {}", record.event, r.status().to_string());
    // The change is committed but not acknowledged; the client must not see success.
    if (r.status().code() == Code::kUnavailable) return Unavailable("audit log unavailable");
    return Internal("audit record rejected");
  }
  return r;
}

bool Service::touch_due_locked(const std::string& agent_id, SystemTime now) const {
  auto it = last_touch_.find(agent_id);
  // last_seen is reported to the second; more writes would only cost.
  return it == last_touch_.end() || now - it->second >= std::chrono::seconds(1);
}

bool Service::touch_due(const std::string& agent_id) {
  SystemTime now = env_.clock->now();
  std::lock_guard lock(seen_mu_);
  return touch_due_locked(agent_id, now);
}

Status Service::touch_agent(const std::string& agent_id) {
  SystemTime now = env_.clock->now();
  std::vector<store::AgentSeen> batch;
  {
    // Claimed before writing: of the requests an agent has in flight when
    // its second is up, one writes and the others go on, rather than all of
    // them queueing on the agent's row.
    std::lock_guard lock(seen_mu_);
    if (!touch_due_locked(agent_id, now)) return OkStatus();
    if (last_touch_.size() > 100000) last_touch_.clear();
    auto [it, first] = last_touch_.try_emplace(agent_id, now);
    it->second = now;
    if (first) {
      batch.push_back({agent_id, now});
    } else {
      unwritten_[agent_id] = now;
      if (now - last_flush_ < std::chrono::seconds(1)) return OkStatus();
      last_flush_ = now;
      for (auto& [id, at] : unwritten_) batch.push_back({id, at});
      unwritten_.clear();
    }
  }
  return write_touches(std::move(batch), agent_id);
}

Status Service::flush_touches() {
  std::vector<store::AgentSeen> batch;
  {
    std::lock_guard lock(seen_mu_);
    last_flush_ = env_.clock->now();
    for (auto& [id, at] : unwritten_) batch.push_back({id, at});
    unwritten_.clear();
  }
  if (batch.empty()) return OkStatus();
  return write_touches(std::move(batch), "");
}

Status Service::write_touches(std::vector<store::AgentSeen> batch, const std::string& caller) {
  Status written = store_.touch_agents(batch);
  if (written.ok()) return written;
  // Not written: the next request tries again.
  std::lock_guard lock(seen_mu_);
  bool own = false;
  for (const auto& a : batch) {
    auto it = last_touch_.find(a.id);
    if (it != last_touch_.end() && it->second == a.at) last_touch_.erase(it);
    if (a.id == caller) {
      own = true;
    } else {
      unwritten_.try_emplace(a.id, a.at);
    }
  }
  // Only the caller's own sighting may fail its request: the others' were
  // acknowledged long ago and stay batched.
  return own ? written : OkStatus();
}

Readiness Service::readiness() {
  Readiness r;
  auto check = [&](const char* name, Status s) {
    if (!s.ok()) r.ready = false;
    r.checks.push_back({name, std::move(s)});
  };
  check("database", store_.ping());
  check("storage", blobs_.ping());
  check("wal", wal_.health());
  r.wal_head = wal_.head();
  return r;
}

}  // namespace ff::core
