#include "metrics/http_metrics.h"

namespace ff::metrics {

struct HttpMetrics::Slot {
  std::atomic<int> status{0};  // 0: free; -1: the overflow slot ("other")
  Counter requests;
  Histogram seconds{latency_buckets()};
};

struct HttpMetrics::PerRoute {
  Slot slots[kSlotsPerRoute];
  Slot other;
  PerRoute() { other.status.store(-1, std::memory_order_relaxed); }
};

HttpMetrics::HttpMetrics() = default;
HttpMetrics::~HttpMetrics() = default;

void HttpMetrics::set_routes(std::vector<RouteLabel> routes) {
  labels_ = std::move(routes);
  labels_.push_back({"", "(unmatched)"});
  per_route_.clear();
  for (size_t i = 0; i < labels_.size(); ++i) per_route_.push_back(std::make_unique<PerRoute>());
}

void HttpMetrics::observe(size_t route, int status, double seconds) {
  if (per_route_.empty()) return;
  if (route >= per_route_.size() - 1) route = per_route_.size() - 1;
  PerRoute& r = *per_route_[route];
  Slot* slot = &r.other;
  for (Slot& s : r.slots) {
    int seen = s.status.load(std::memory_order_acquire);
    if (seen == 0) {
      int expected = 0;
      if (s.status.compare_exchange_strong(expected, status, std::memory_order_acq_rel)) {
        slot = &s;
        break;
      }
      seen = expected;
    }
    if (seen == status) {
      slot = &s;
      break;
    }
  }
  slot->requests.inc();
  slot->seconds.observe(seconds);
}

void HttpMetrics::write(TextWriter& w) const {
  auto each = [&](auto&& fn) {
    for (size_t i = 0; i < per_route_.size(); ++i) {
      const PerRoute& r = *per_route_[i];
      auto visit = [&](const Slot& s) {
        int st = s.status.load(std::memory_order_acquire);
        if (st == 0 || s.requests.value() == 0) return;
        Labels l{{"method", labels_[i].method},
                 {"route", labels_[i].pattern},
                 {"status", st < 0 ? "other" : std::to_string(st)}};
        fn(l, s);
      };
      for (const Slot& s : r.slots) visit(s);
      visit(r.other);
    }
  };
  w.family("fortfail_http_requests_total", "HTTP requests answered, by route pattern and status.",
           TextWriter::Type::kCounter);
  each([&](const Labels& l, const Slot& s) {
    w.sample("fortfail_http_requests_total", l, static_cast<double>(s.requests.value()));
  });
  w.family("fortfail_http_request_duration_seconds",
           "Time from the request's first byte to the end of its response.",
           TextWriter::Type::kHistogram);
  each([&](const Labels& l, const Slot& s) {
    w.histogram("fortfail_http_request_duration_seconds", l, s.seconds.data());
  });
}

}  // namespace ff::metrics
