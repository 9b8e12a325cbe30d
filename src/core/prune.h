// Pruning: a retention policy (core/retention.h) applied to the stored
// snapshots of one agent or of every agent, by Service::prune (POST /prune)
// and Service::apply_retention (the scheduler, after a successful backup).
//
// Only `available` snapshots are candidates: pending and corrupt ones are
// neither counted by the rules nor deleted (a pending upload may yet succeed,
// a corrupt one is evidence an operator should look at and delete by hand).
// A snapshot the policy forgets but a pending or in-progress restore job
// still uses is kept, with the reason kInUseReason. Deleting a
// repository-format snapshot removes its pack references only; the space
// returns with the next garbage collection (POST /repository/gc).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/retention.h"

namespace ff::core {

// The reason given for a snapshot kept because a running job needs it.
inline constexpr const char* kInUseReason = "in use by a running job";

// POST /prune
struct PruneRequest {
  std::optional<std::string> agent_id;  // none: every agent owning available snapshots
  RetentionPolicy policy;
  bool dry_run = false;
};

struct AgentPrune {
  std::string agent_id;
  std::vector<RetentionDecision> kept;     // newest first, each with its reasons
  std::vector<RetentionDecision> removed;  // newest first; for a dry run: would be removed
};

struct PruneReport {
  bool dry_run = false;
  RetentionPolicy policy;
  std::vector<AgentPrune> agents;  // sorted by agent id
  int64_t kept = 0;
  int64_t removed = 0;
};

}  // namespace ff::core
