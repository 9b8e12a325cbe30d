#include "core/notifier.h"

#include <vector>

namespace ff::core {

uint64_t Notifier::generation(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = generations_.find(key);
  return (it == generations_.end() ? 0 : it->second) + epoch_;
}

uint64_t Notifier::subscribe(const std::string& key, uint64_t observed, Callback fn) {
  {
    std::lock_guard lock(mu_);
    auto it = generations_.find(key);
    uint64_t current = (it == generations_.end() ? 0 : it->second) + epoch_;
    if (current == observed) {
      uint64_t id = next_id_++;
      entries_.emplace(id, Entry{key, std::move(fn)});
      by_key_.emplace(key, id);
      return id;
    }
  }
  fn();
  return 0;
}

bool Notifier::unsubscribe(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  auto range = by_key_.equal_range(it->second.key);
  for (auto k = range.first; k != range.second; ++k) {
    if (k->second == id) {
      by_key_.erase(k);
      break;
    }
  }
  entries_.erase(it);
  return true;
}

void Notifier::notify(const std::string& key) {
  notify_local(key);
  if (forward_) forward_(key);
}

void Notifier::notify_all_local() {
  std::vector<Callback> ready;
  {
    std::lock_guard lock(mu_);
    ++epoch_;  // every generation read before now is stale
    for (auto& [id, entry] : entries_) ready.push_back(std::move(entry.fn));
    entries_.clear();
    by_key_.clear();
  }
  for (auto& fn : ready) fn();
}

void Notifier::notify_local(const std::string& key) {
  std::vector<Callback> ready;
  {
    std::lock_guard lock(mu_);
    ++generations_[key];
    auto range = by_key_.equal_range(key);
    for (auto k = range.first; k != range.second; ++k) {
      auto it = entries_.find(k->second);
      ready.push_back(std::move(it->second.fn));
      entries_.erase(it);
    }
    by_key_.erase(range.first, range.second);
  }
  for (auto& fn : ready) fn();
}

}  // namespace ff::core
