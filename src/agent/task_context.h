// TaskContext: what a backup or restore task borrows from the running agent.
//
// Thread-safety: the referenced objects are used from the agent's main loop only.
#pragma once

#include <atomic>

#include "agent/agent_api.h"
#include "agent/config.h"
#include "agent/progress.h"
#include "agent/stop_signal.h"
#include "repo/codec.h"
#include "sys/clock.h"
#include "sys/random.h"

namespace ff::agent {

struct TaskContext {
  AgentApi& api;
  const AgentConfig& config;
  sys::Clock& clock;
  sys::Random& random;
  Waiter& stop;
  // Blob ids, chunking and sealing of repository backups and restores: keyed
  // with AGENT_KEY_FILE's key, else plain.
  const repo::Codec& codec;
  // Set when the orchestrator refused one of this task's events because an
  // operator cancelled the job: the task stops, removes what it made (the
  // temporary restore tree, the spool) and reports nothing further.
  std::atomic<bool> job_cancelled{false};
  // Progress events of the task, whatever its phase (download, restore,
  // verify): at most one a second, as the contract asks.
  ProgressThrottle progress{clock, std::chrono::seconds(1)};

  // api.post_event, noting a cancelled job in job_cancelled.
  Status post_event(const Event& event, bool durable);
  // Whether the task should stop now: the agent is shutting down or the job was cancelled.
  bool should_stop() const { return job_cancelled || stop.stop_requested(); }
};

// The Waiter of one task's retries: they end when the agent stops or the job
// is cancelled. `ctx` must outlive it.
class TaskWaiter final : public Waiter {
 public:
  explicit TaskWaiter(const TaskContext& ctx) : ctx_(ctx) {}
  bool stop_requested() const override { return ctx_.should_stop(); }
  bool wait_for(std::chrono::milliseconds d) override;

 private:
  const TaskContext& ctx_;
};

}  // namespace ff::agent
