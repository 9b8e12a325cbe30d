// Agent: fortfail-agent's main loop. Obtains a token, then polls
// GET /agent/{id}/commands (long poll when configured; plain polls every
// POLL_INTERVAL otherwise or when the server answers at once) and runs each
// command in turn: `restore` (restore.h), `drill` (drill.h), `backup` (backup.h); any other type
// is answered with an `error` event. Scheduled backups run every
// BACKUP_INTERVAL (first one at start) when it is non-zero.
//
// Not guaranteed: exactly-once. A command redelivered by the orchestrator's
// lease runs again; both tasks are idempotent per job, and a job seen to
// finish in this process is skipped.
//
// Thread-safety: run() on one thread; the StopSignal may be triggered from
// any thread (the SIGTERM thread) and ends run() after the current step.
#pragma once

#include <deque>
#include <string>

#include "agent/agent_api.h"
#include "agent/backup.h"
#include "agent/config.h"
#include "agent/stop_signal.h"
#include "repo/codec.h"
#include "sys/clock.h"
#include "sys/random.h"

namespace ff::agent {

class Agent {
 public:
  // Every reference must outlive the Agent.
  Agent(const AgentConfig& config, AgentApi& api, TokenManager& tokens, const Retrier& retrier,
        sys::Clock& clock, sys::Random& random, StopSignal& stop, const repo::Codec& codec);

  // Runs until stop is requested: returns ok then. Returns kUnauthenticated
  // at start-up when the orchestrator refuses the agent's credentials.
  Status run();

  // Runs one command (exposed for tests).
  void handle(const Command& cmd);

 private:
  bool seen(const std::string& job_id) const;
  void remember(const std::string& job_id);
  void clean_spool();
  // A backup in AGENT_BACKUP_FORMAT; the snapshot id on success.
  Result<std::string> backup(TaskContext& ctx, const BackupRequest& req);

  const AgentConfig& config_;
  AgentApi& api_;
  TokenManager& tokens_;
  const Retrier& retrier_;
  sys::Clock& clock_;
  sys::Random& random_;
  StopSignal& stop_;
  const repo::Codec& codec_;
  std::deque<std::string> finished_jobs_;  // most recent last, bounded
};

}  // namespace ff::agent
