// Revocations: the credentials whose tokens must stop working before they
// expire, kept in memory so that every request can ask cheaply.
//
// Two kinds: an API key (every token minted from it carries its id, `kid`)
// and an agent (every agent token for that id issued at or before the
// revocation second). The store is the source of truth; the orchestrator
// loads this set at start, updates it on every revocation it performs, and
// refreshes it from the store periodically (another process may revoke).
//
// Listeners run after each change that revokes something new, so open
// WebSockets can re-check their token at once.
//
// Thread-safety: safe from any thread; check() takes a shared lock, changes
// an exclusive one; listeners are called outside the lock.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"

namespace ff::auth {

struct Claims;

struct RevokedSet {
  std::unordered_set<std::string> keys;             // API key ids
  std::unordered_map<std::string, int64_t> agents;  // agent id -> tokens issued at or before
};

class Revocations {
 public:
  // kUnauthenticated "token revoked" when `c` was minted from a revoked
  // credential; OK otherwise.
  Status check(const Claims& c) const;

  void revoke_key(const std::string& key_id);
  // Tokens of `agent_id` issued at or before `not_after` (unix seconds) stop working.
  void revoke_agent(const std::string& agent_id, int64_t not_after);
  // Adds what `set` (a refresh from the store) revokes. Revocations only
  // grow (a key stays revoked; an agent's cut-off only moves later), so a
  // refresh that read the store before a concurrent revoke_*() loses nothing.
  // Listeners run when something was added.
  void merge(const RevokedSet& set);

  // `fn` runs on the revoking thread after each change. Register before use.
  void on_change(std::function<void()> fn);

 private:
  void notify();

  mutable std::shared_mutex mu_;
  RevokedSet set_;  // guarded by mu_
  std::mutex listeners_mu_;
  std::vector<std::function<void()>> listeners_;  // guarded by listeners_mu_
};

}  // namespace ff::auth
