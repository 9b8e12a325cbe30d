#include "events/hub.h"

#include <algorithm>

namespace ff::events {

bool visible_to(const std::string& scope, const wal::Record& record) {
  return scope.empty() || record.agent_id == scope;
}

uint64_t Hub::subscribe(const std::shared_ptr<Subscriber>& s, std::string scope) {
  std::lock_guard lock(mu_);
  entries_.push_back(Entry{s, std::move(scope)});
  return last_seq_;
}

void Hub::set_head(uint64_t seq) {
  std::lock_guard lock(mu_);
  last_seq_ = std::max(last_seq_, seq);
}

void Hub::publish(const wal::RecordPtr& record) {
  std::vector<std::shared_ptr<Subscriber>> targets;
  {
    std::lock_guard lock(mu_);
    last_seq_ = std::max(last_seq_, record->seq);
    bool expired = false;
    for (const auto& e : entries_) {
      auto s = e.subscriber.lock();
      if (!s) {
        expired = true;
        continue;
      }
      if (visible_to(e.scope, *record)) targets.push_back(std::move(s));
    }
    if (expired) {
      std::erase_if(entries_, [](const Entry& e) { return e.subscriber.expired(); });
    }
  }
  for (const auto& s : targets) s->deliver(record);
}

size_t Hub::subscriber_count() {
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [](const Entry& e) { return e.subscriber.expired(); });
  return entries_.size();
}

}  // namespace ff::events
