// TaskContext: what a backup or restore task borrows from the running agent.
//
// Thread-safety: the referenced objects are used from the agent's main loop only.
#pragma once

#include "agent/agent_api.h"
#include "agent/config.h"
#include "agent/stop_signal.h"
#include "sys/clock.h"
#include "sys/random.h"

namespace ff::agent {

struct TaskContext {
  AgentApi& api;
  const AgentConfig& config;
  sys::Clock& clock;
  sys::Random& random;
  Waiter& stop;
};

}  // namespace ff::agent
