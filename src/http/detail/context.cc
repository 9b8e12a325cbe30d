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
  for (const auto& route : api.routes()) {
    router.add(route);
    if (api.placement(route).lane == api::Lane::kReaders && !readers) {
      readers = std::make_unique<boost::asio::thread_pool>(
          static_cast<size_t>(api.options().reader_threads));
    }
  }
  if (options.metrics != nullptr) {
    std::vector<metrics::RouteLabel> labels;
    for (const auto& route : api.routes()) labels.push_back({route.method, route.pattern});
    options.metrics->http.set_routes(std::move(labels));
  }
}

void Context::join_pools() {
  {
    // The workers stay up meanwhile: a request's last steps may run there.
    std::unique_lock lock(mu);
    answered.wait_for(lock, std::chrono::minutes(1), [&] { return unanswered == 0; });
  }
  workers.join();
  if (readers) readers->join();
}

void Context::async_started() { ++unanswered; }

void Context::async_answered() {
  if (unanswered.fetch_sub(1) != 1) return;
  std::lock_guard lock(mu);
  answered.notify_all();
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

void Context::observe_request(const api::Route* route, int status, double seconds) {
  if (options.metrics == nullptr) return;
  // Routes live in the Api's vector: the index is the route's position there.
  size_t index = route == nullptr ? metrics::HttpMetrics::kUnmatched
                                  : static_cast<size_t>(route - api.routes().data());
  options.metrics->http.observe(index, status, seconds);
}

bool Context::cors_allowed(std::string_view origin) const {
  if (origin.empty()) return false;
  return std::any_of(options.cors_origins.begin(), options.cors_origins.end(),
                     [&](const std::string& o) { return o == "*" || o == origin; });
}

}  // namespace ff::http::detail
