// TaskContext: what a backup or restore task borrows from the running agent.
//
// Thread-safety: the referenced objects are used from the agent's main loop only.
#pragma once

#include "agent/agent_api.h"
#include "agent/config.h"
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
};

}  // namespace ff::agent
