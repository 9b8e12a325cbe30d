#include "orchestrator/wiring.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "blob/factory.h"
#include "blob/metered_store.h"
#include "core/schedules.h"
#include "orchestrator/metrics_collector.h"
#include "store/sqlite/sqlite_store.h"
#include "wal/reader.h"

namespace ff::orchestrator {

namespace {

Result<std::unique_ptr<blob::BlobStore>> open_blobs(const config::Config& c) {
  if (c.s3.endpoint.empty()) {
    return blob::make_local_store((std::filesystem::path(c.data_dir) / "objects").string());
  }
  blob::S3Config s3;
  s3.endpoint = c.s3.endpoint;
  s3.access_key = c.s3.access_key;
  s3.secret_key = c.s3.secret_key;
  s3.bucket = c.s3.bucket;
  s3.region = c.s3.region;
  s3.part_size = c.s3.part_size;
  s3.stream_put_max_size = c.s3.stream_put_max_size;
  return blob::make_s3_store(s3);
}

}  // namespace

std::string default_wal_path(const config::Config& config) {
  constexpr const char* kName = "orchestrator_wal.log";
  if (std::string_view(config.database_url).starts_with("sqlite://")) {
    auto sqlite = store::sqlite::options_from_url(config.database_url);
    if (sqlite.ok() && sqlite->path != ":memory:") {
      return (std::filesystem::path(sqlite->path).parent_path() / kName).string();
    }
  }
  return (std::filesystem::path(config.data_dir) / kName).string();
}

namespace {

std::string default_replica_id(const config::Config& config) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::strcpy(host, "localhost");
  std::string id = std::string(host) + ":" + std::to_string(config.listen_port);
  for (char& c : id) {
    bool ok =
        std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) c = '-';
  }
  return id.substr(0, 64);
}

// Replicas sharing the database: WAL records go to the global stream (and
// are acknowledged once there), WebSockets follow that stream, and wake-ups
// reach the other replicas.
Status start_replication(App& app) {
  App* raw = &app;
  app.shipper =
      std::make_unique<events::StreamShipper>(events::stream_target(*app.store, app.replica_id));
  sys::FileSystem* fs = app.env.fs;
  std::string wal_path = app.config.wal_path;
  FF_TRY(app.shipper->catch_up(app.wal->head().seq, [fs, wal_path](uint64_t since, size_t max) {
    return wal::read_since(*fs, wal_path, since, max);
  }));
  app.wal->set_subscriber([raw](const wal::RecordPtr& r) {
    raw->shipper->enqueue(r);
    raw->webhooks->on_record(r);
  });
  app.shipper->set_on_shipped([raw](uint64_t global_seq) { raw->hub.set_head(global_seq); });
  app.shipper->start();
  // Long enough to ride out a slow commit, short enough that a client whose
  // request cannot be acknowledged gets its 503 well before it gives up.
  app.service->set_stream_wait([raw](uint64_t wal_seq) {
    return raw->shipper->wait_shipped(wal_seq, std::chrono::seconds(10));
  });
  app.feed = std::make_unique<events::StreamFeed>(*app.store, app.hub);
  FF_TRY(app.feed->start());
  forward_wakeups(app.notifier, *app.store, app.replica_id);
  app.replica_link =
      std::make_unique<ReplicaLink>(*app.store, app.notifier, app.feed.get(), app.replica_id);
  app.replica_link->start();
  spdlog::info("replica {}: event stream and wake-ups shared through the database", app.replica_id);
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<App>> build_app(const config::Config& config, const sys::Env& env) {
  auto app = std::make_unique<App>();
  app->env = env;
  app->config = config;
  if (app->config.wal_path.empty()) app->config.wal_path = default_wal_path(config);
  const std::string& wal_path = app->config.wal_path;
  sys::Clock* clock = env.clock;
  app->metrics = std::make_unique<metrics::Metrics>([clock] { return clock->monotonic_now(); });
  metrics::Metrics* m = app->metrics.get();

  auto wal_dir = std::filesystem::path(wal_path).parent_path();
  if (!wal_dir.empty()) FF_TRY(env.fs->create_dirs(wal_dir.string()).with_context("WAL_PATH"));
  auto wal = wal::Writer::open(env, wal_path);
  if (!wal.ok()) return wal.status().with_context("WAL_PATH " + wal_path);
  app->wal = std::move(wal).value();
  auto seconds = [](std::chrono::nanoseconds d) {
    return std::chrono::duration<double>(d).count();
  };
  app->wal->set_timings({
      [m, seconds](std::chrono::nanoseconds d, size_t records) {
        m->wal_fsync_seconds.observe(seconds(d));
        m->wal_records.inc(records);
      },
      [m, seconds](std::chrono::nanoseconds d) { m->wal_append_seconds.observe(seconds(d)); },
  });

  auto store = store::open_store(config.database_url);
  if (!store.ok()) return store.status().with_context("DATABASE_URL");
  app->store = std::move(store).value();
  FF_TRY(app->store->migrate().with_context("database migrations"));
  app->store->warm_up();

  FF_TRY(env.fs->create_dirs(config.data_dir).with_context("ORCH_DATA_DIR"));
  auto blobs = open_blobs(config);
  if (!blobs.ok()) return blobs.status().with_context("object store");
  // The S3 store retries transient errors itself; wrapping it again would
  // multiply the attempts, and the local store has no transient errors.
  app->blobs = blob::make_metered_store(std::move(blobs).value(), *m);
  // An unreachable object store is not fatal: readiness reports it and
  // uploads answer 503 until it comes back.
  if (Status s = app->blobs->ensure_ready(); !s.ok()) {
    spdlog::error("object store ({}) not ready: {}", app->blobs->kind(), s.to_string());
  }

  app->tokens = std::make_unique<auth::TokenService>(
      config.jwt_secret, config.token_ttl, *env.clock, *env.random, config.jwt_secret_previous);
  app->tokens->set_revocations(&app->revocations);
  app->limiter = std::make_unique<auth::RateLimiter>(*env.clock, config.token_rate_burst,
                                                     config.token_rate_per_second);
  core::ServiceOptions so;
  app->replica_id = config.replica_id.empty() ? default_replica_id(config) : config.replica_id;
  const bool replicated = app->store->has_global_stream();
  if (replicated) so.replica_id = app->replica_id;
  so.command_lease = config.command_lease;
  so.agent_offline = config.agent_offline;
  so.registration_secret = config.reg_secret;
  so.max_object_bytes = config.max_object_bytes;
  so.agent_quota_bytes = config.agent_quota_bytes;
  so.agent_events_per_second = config.agent_events_per_second;
  so.agent_event_burst = config.agent_event_burst;
  so.max_job_events = config.max_job_events;
  so.verify_bytes_per_second = config.verify_bytes_per_second;

  so.operator_secret = config.operator_secret;
  so.registration_secret_enabled = config.reg_secret_enabled;
  so.enrollment_ttl = config.enrollment_ttl;
  so.require_encryption = config.require_encryption;
  so.repo_session_ttl = config.repo_session_ttl;
  // The local store keeps its own layout (snapshots/<id>) whatever S3_KEY_PREFIX says.
  if (!config.s3.endpoint.empty()) so.object_keys.snapshot_prefix = config.s3.key_prefix;
  app->service = std::make_unique<core::Service>(env, *app->store, *app->blobs, *app->wal,
                                                 *app->tokens, app->revocations, app->notifier, so);
  FF_TRY(app->service->refresh_revocations().with_context("loading revocations"));
  api::ApiOptions ao;
  ao.max_long_poll = config.max_long_poll;
  ao.max_object_bytes = config.max_object_bytes;
  // Point reads run inline on an in-process database, else on a reader lane
  // as wide as the database's connection pool (ApiOptions::point_reads).
  ao.reader_threads = app->store->pooled_connections();
  ao.point_reads = ao.reader_threads > 0 ? api::Lane::kReaders : api::Lane::kInline;
  ao.metrics = m;
  ao.metrics_public = config.metrics_public;
  m->set_database_collector(database_collector(*app->service));
  app->api = std::make_unique<api::Api>(*app->service, *app->tokens, *app->limiter, ao);
  alerts::DispatcherOptions dopt;
  dopt.agent_offline_after = config.agent_offline_alert;
  // Often enough to alert within a few seconds of the threshold, and no more
  // than every 5 s (one agent list read).
  dopt.offline_check_interval = std::clamp<std::chrono::milliseconds>(
      std::chrono::milliseconds(config.agent_offline_alert) / 4, std::chrono::milliseconds(250),
      std::chrono::milliseconds(5000));
  app->webhooks = std::make_unique<alerts::WebhookDispatcher>(*app->store, env, dopt);
  // One runner per schedule kind (a kind without one records a failed run);
  // a backup schedule's retention is applied once per completed job.
  std::map<std::string, core::ScheduleRunner> runners;
  runners[core::kScheduleBackup] = core::backup_runner(*app->service);
  runners[core::kScheduleVerify] = core::verify_runner(*app->service);
  runners[core::kScheduleDrill] = core::drill_runner(*app->service);
  app->scheduler = std::make_unique<core::Scheduler>(
      *app->service, app->webhooks.get(), std::move(runners), core::retention_hook(*app->service));
  App* raw = app.get();
  app->metrics->set_alerts_dropped([raw] { return raw->webhooks->dropped(); });
  if (replicated) {
    FF_TRY(start_replication(*app).with_context("event stream"));
  } else {
    app->hub.set_head(app->wal->head().seq);
    app->wal->set_subscriber([raw](const wal::RecordPtr& r) {
      raw->hub.publish(r);
      raw->webhooks->on_record(r);
    });
  }
  return app;
}

}  // namespace ff::orchestrator
