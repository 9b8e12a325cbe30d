// The orchestrator's object graph: the only place that builds concrete
// objects (store, object store, WAL, services, server) and wires them.
#pragma once

#include <memory>

#include "alerts/webhook_dispatcher.h"
#include "api/api.h"
#include "auth/rate_limiter.h"
#include "auth/revocations.h"
#include "auth/token.h"
#include "blob/blob_store.h"
#include "config/config.h"
#include "core/notifier.h"
#include "core/scheduler.h"
#include "core/service.h"
#include "events/hub.h"
#include "events/stream_feed.h"
#include "events/stream_shipper.h"
#include "metrics/metrics.h"
#include "orchestrator/replica_link.h"
#include "store/store.h"
#include "sys/env.h"
#include "wal/writer.h"

namespace ff::orchestrator {

struct App {
  sys::Env env;
  config::Config config;
  std::unique_ptr<metrics::Metrics> metrics;
  std::unique_ptr<wal::Writer> wal;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<blob::BlobStore> blobs;
  auth::Revocations revocations;
  std::unique_ptr<auth::TokenService> tokens;
  std::unique_ptr<auth::RateLimiter> limiter;
  core::Notifier notifier;
  events::Hub hub;
  std::unique_ptr<core::Service> service;
  std::unique_ptr<api::Api> api;
  // The AlertNotifier producers call (core/alerts.h); started by serve().
  std::unique_ptr<alerts::WebhookDispatcher> webhooks;
  // Runs stored schedules (core/scheduler.h); started and stopped by serve().
  std::unique_ptr<core::Scheduler> scheduler;
  // Replicas sharing a PostgreSQL database (docs/architecture.md "Replicas");
  // null on the embedded database. Declared last: their threads stop first.
  std::string replica_id;
  std::unique_ptr<events::StreamShipper> shipper;
  std::unique_ptr<events::StreamFeed> feed;
  std::unique_ptr<ReplicaLink> replica_link;
};

// Where the WAL goes when WAL_PATH is unset: orchestrator_wal.log beside the
// SQLite database file, or in ORCH_DATA_DIR (PostgreSQL, in-memory SQLite).
std::string default_wal_path(const config::Config& config);

// Opens everything `config` names; App::config.wal_path is the WAL actually
// used (default_wal_path when config.wal_path is empty). Errors name the
// failing part in one line.
Result<std::unique_ptr<App>> build_app(const config::Config& config, const sys::Env& env);

}  // namespace ff::orchestrator
