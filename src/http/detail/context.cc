#include "http/detail/context.h"

#include <algorithm>

#include "common/hex.h"
#include "sys/random.h"

namespace ff::http::detail {

Context::Context(ServerOptions o, const api::Api& a, events::Hub& h, core::Notifier& n, ReplayFn r)
    : options(std::move(o)),
      api(a),
      hub(h),
      notifier(n),
      replay(std::move(r)),
      workers(static_cast<size_t>(options.worker_threads)),
      request_prefix(to_hex(sys::secure_random().bytes(4))) {
  for (const auto& route : api.routes()) router.add(route);
}

void Context::add_session(const std::shared_ptr<SessionBase>& s) {
  std::lock_guard lock(mu);
  sessions[s.get()] = s;
}

void Context::remove_session(SessionBase* s) {
  std::lock_guard lock(mu);
  sessions.erase(s);
}

size_t Context::session_count() {
  std::lock_guard lock(mu);
  return sessions.size();
}

void Context::recheck_credentials() {
  std::vector<std::shared_ptr<SessionBase>> open;
  {
    std::lock_guard lock(mu);
    for (auto& [raw, weak] : sessions) {
      if (auto s = weak.lock()) open.push_back(std::move(s));
    }
  }
  for (auto& s : open) s->credentials_changed();
}

std::string Context::new_request_id() {
  return request_prefix + "-" + std::to_string(next_request.fetch_add(1));
}

bool Context::cors_allowed(std::string_view origin) const {
  if (origin.empty()) return false;
  return std::any_of(options.cors_origins.begin(), options.cors_origins.end(),
                     [&](const std::string& o) { return o == "*" || o == origin; });
}

}  // namespace ff::http::detail
