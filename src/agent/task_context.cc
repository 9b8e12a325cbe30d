#include "agent/task_context.h"

#include <spdlog/spdlog.h>

namespace ff::agent {

Status TaskContext::post_event(const Event& event, bool durable) {
  Status s = api.post_event(event, durable);
  if (!job_cancelled && api.refused_job_status() == "cancelled") {
    spdlog::info("job {} was cancelled by an operator; stopping it", event.job_id);
    job_cancelled = true;
  }
  return s;
}

}  // namespace ff::agent
