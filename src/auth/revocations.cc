#include "auth/revocations.h"

#include "auth/token.h"

namespace ff::auth {

Status Revocations::check(const Claims& c) const {
  std::shared_lock lock(mu_);
  if (!c.key_id.empty() && set_.keys.count(c.key_id) != 0) {
    return Unauthenticated("token revoked");
  }
  if (c.role == Role::kAgent) {
    auto it = set_.agents.find(c.subject);
    if (it != set_.agents.end() && c.issued_at <= it->second) {
      return Unauthenticated("token revoked");
    }
  }
  return OkStatus();
}

void Revocations::revoke_key(const std::string& key_id) {
  {
    std::unique_lock lock(mu_);
    if (!set_.keys.insert(key_id).second) return;
  }
  notify();
}

void Revocations::revoke_agent(const std::string& agent_id, int64_t not_after) {
  {
    std::unique_lock lock(mu_);
    int64_t& at = set_.agents[agent_id];
    if (at >= not_after) return;
    at = not_after;
  }
  notify();
}

void Revocations::merge(const RevokedSet& set) {
  bool added = false;
  {
    std::unique_lock lock(mu_);
    for (const auto& k : set.keys) added |= set_.keys.insert(k).second;
    for (const auto& [agent, at] : set.agents) {
      int64_t& mine = set_.agents[agent];
      if (at > mine) {
        mine = at;
        added = true;
      }
    }
  }
  if (added) notify();
}

void Revocations::on_change(std::function<void()> fn) {
  std::lock_guard lock(listeners_mu_);
  listeners_.push_back(std::move(fn));
}

void Revocations::notify() {
  std::vector<std::function<void()>> fns;
  {
    std::lock_guard lock(listeners_mu_);
    fns = listeners_;
  }
  for (const auto& fn : fns) fn();
}

}  // namespace ff::auth
