// The database gauges of GET /metrics (jobs, snapshots, agents, last backup),
// rendered from core::Service::summarize() at scrape time. Metrics caches
// the text, so the database is read at most once per cache period.
//
// Thread-safety: write_summary() is pure; the collector runs on the scraping
// request's worker thread, serialized by Metrics' cache lock.
#pragma once

#include "core/service.h"
#include "metrics/metrics.h"

namespace ff::orchestrator {

// Writes the families of `summary` (pure: tested without a database).
void write_summary(const core::OperationsSummary& summary, metrics::TextWriter& w);

// A collector for Metrics::set_database_collector; `service` must outlive it.
metrics::Metrics::Collector database_collector(core::Service& service);

}  // namespace ff::orchestrator
