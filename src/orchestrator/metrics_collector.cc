#include "orchestrator/metrics_collector.h"

#include <spdlog/spdlog.h>

namespace ff::orchestrator {

using metrics::TextWriter;
using Type = metrics::TextWriter::Type;

void write_summary(const core::OperationsSummary& s, TextWriter& w) {
  w.family("fortfail_jobs", "Jobs by kind and status.", Type::kGauge);
  for (const auto& j : s.store.jobs) {
    w.sample("fortfail_jobs", {{"kind", j.kind}, {"status", j.status}},
             static_cast<double>(j.count));
  }
  w.family("fortfail_snapshots", "Snapshots by status.", Type::kGauge);
  for (const auto& o : s.store.objects) {
    if (o.kind == "snapshot") {
      w.sample("fortfail_snapshots", {{"status", o.status}}, static_cast<double>(o.count));
    }
  }
  w.family("fortfail_stored_bytes",
           "Bytes in the object store by kind (snapshot: tar snapshots and repository snapshot "
           "sizes as declared; pack: repository packs) and status.",
           Type::kGauge);
  for (const auto& o : s.store.objects) {
    w.sample("fortfail_stored_bytes", {{"kind", o.kind}, {"status", o.status}},
             static_cast<double>(o.bytes));
  }
  int64_t online = 0;
  for (const auto& a : s.agents) online += a.online ? 1 : 0;
  w.family("fortfail_agents", "Known agents by state (ORCH_AGENT_OFFLINE_SECONDS).", Type::kGauge);
  w.sample("fortfail_agents", {{"state", "online"}}, static_cast<double>(online));
  w.sample("fortfail_agents", {{"state", "offline"}},
           static_cast<double>(static_cast<int64_t>(s.agents.size()) - online));
  w.family("fortfail_agent_last_backup_age_seconds",
           "Seconds since the agent's newest available snapshot was uploaded (agents with one).",
           Type::kGauge);
  for (const auto& [agent, at] : s.store.last_backup) {
    double age = std::chrono::duration<double>(s.now - at).count();
    w.sample("fortfail_agent_last_backup_age_seconds", {{"agent_id", agent}},
             std::max(0.0, std::floor(age)));
  }
}

metrics::Metrics::Collector database_collector(core::Service& service) {
  return [&service](TextWriter& w) {
    auto summary = service.summarize();
    if (!summary.ok()) {
      spdlog::warn("metrics: database gauges not refreshed: {}", summary.status().to_string());
      return false;
    }
    write_summary(*summary, w);
    return true;
  };
}

}  // namespace ff::orchestrator
