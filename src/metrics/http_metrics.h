// HttpMetrics: request counts and latency per route pattern, method and
// status, without a lock on the request path.
//
// Routes are numbered once (set_routes) by their position in the route
// table; each route has a few slots, claimed by the first request with a new
// status (compare-and-swap). Statuses past the slots of a route are counted
// under status="other". Requests that matched no route count under
// route="(unmatched)", method="" so a scanner cannot grow the label set.
//
// Thread-safety: set_routes() before the first observe(); observe() and
// write() from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "metrics/instruments.h"
#include "metrics/text_format.h"

namespace ff::metrics {

struct RouteLabel {
  std::string method;
  std::string pattern;
};

class HttpMetrics {
 public:
  static constexpr size_t kUnmatched = static_cast<size_t>(-1);
  static constexpr size_t kSlotsPerRoute = 12;

  HttpMetrics();
  ~HttpMetrics();
  void set_routes(std::vector<RouteLabel> routes);
  // `route` is an index given to set_routes, or kUnmatched.
  void observe(size_t route, int status, double seconds);
  void write(TextWriter& w) const;

 private:
  struct Slot;
  struct PerRoute;
  std::vector<RouteLabel> labels_;  // last: the unmatched pseudo-route
  std::vector<std::unique_ptr<PerRoute>> per_route_;
};

}  // namespace ff::metrics
