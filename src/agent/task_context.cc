#include "agent/task_context.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ff::agent {

Status TaskContext::post_event(const Event& event, bool durable) {
  Status s = api.post_event(event, durable);
  if (!job_cancelled && api.refused_job_status() == "cancelled") {
    spdlog::info("job {} was cancelled by an operator; stopping it", event.job_id);
    job_cancelled = true;
  }
  return s;
}

bool TaskWaiter::wait_for(std::chrono::milliseconds d) {
  // In slices: a cancel arrives on another thread's event post, not on ctx_.stop.
  constexpr std::chrono::milliseconds kSlice(200);
  while (d.count() > 0) {
    auto step = std::min(d, kSlice);
    if (!ctx_.stop.wait_for(step) || ctx_.job_cancelled) return false;
    d -= step;
  }
  return !ctx_.should_stop();
}

}  // namespace ff::agent
