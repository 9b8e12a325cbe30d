// Config: every environment variable the orchestrator reads, typed and checked.
//
// Names and defaults follow the seed (README.md, "Configuration", lists them).
// A bad value stops start-up with one line naming the variable; the default dev
// secrets produce warnings. With ORCH_ENV=production, production_problems()
// (production.cc) lists what is refused: weak or shared secrets, plain HTTP.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/address_ranges.h"
#include "common/status.h"

namespace ff::config {

inline constexpr char kDevJwtSecret[] = "dev-jwt-secret-change-in-production";
inline constexpr char kDevRegSecret[] = "dev-reg-secret-change-in-production";

struct S3Config {
  std::string endpoint;  // empty: the embedded local store is used
  std::string access_key = "minioadmin";
  std::string secret_key = "minioadmin";
  std::string bucket = "fortfail-snapshots";
  std::string region = "us-east-1";
  // Put before a snapshot id to make its object key (S3_KEY_PREFIX); "" serves
  // a seed bucket, whose objects are at "<id>". Not used by the local store.
  std::string key_prefix = "snapshots/";
  uint64_t part_size = 8 * 1024 * 1024;
  // Above part_size and up to this, one streaming PUT instead of multipart
  // (0: never; see blob/s3/s3_config.h).
  uint64_t stream_put_max_size = 5ull << 30;
};

struct Config {
  std::string jwt_secret = kDevJwtSecret;
  std::string reg_secret = kDevRegSecret;
  // Empty: the registration secret also mints admin tokens (development only).
  std::string operator_secret;
  // Accepted for verification during a rotation; never used to sign.
  std::string jwt_secret_previous;
  // False (ORCH_REG_SECRET_ENABLED=0): agents mint only with their enrolled secrets.
  bool reg_secret_enabled = true;
  std::chrono::seconds enrollment_ttl{3600};
  // How often the revocation set is reloaded from the database (other processes).
  std::chrono::seconds revocation_refresh{10};
  std::string database_url = "sqlite:///./orchestrator.db";
  // Empty (WAL_PATH unset): orchestrator_wal.log beside the SQLite database
  // file, or in data_dir for PostgreSQL (orchestrator::default_wal_path). The
  // containers set the seed's /data/orchestrator_wal.log explicitly.
  std::string wal_path;
  std::string listen_host = "0.0.0.0";
  uint16_t listen_port = 8000;
  std::chrono::seconds token_ttl{604800};
  std::chrono::seconds command_lease{300};
  std::chrono::seconds agent_offline{60};
  std::vector<std::string> cors_origins;
  bool production = false;
  std::string data_dir = "./data";
  std::string tls_cert;
  std::string tls_key;
  // ORCH_BEHIND_TLS_PROXY=1: plain HTTP here, TLS terminated by a proxy in
  // front; production accepts plain HTTP only then, and HSTS is sent.
  bool behind_tls_proxy = false;
  // ORCH_TRUSTED_PROXIES: peers (addresses, CIDR ranges) whose X-Forwarded-For
  // names the client, for rate limits and the access log; empty: none.
  AddressRanges trusted_proxies;
  S3Config s3;
  std::string log_level = "info";
  // ORCH_LOG_FORMAT: "text" (the default) or "json" (one object per line).
  std::string log_format = "text";
  // ORCH_METRICS_PUBLIC=1: GET /metrics without a token.
  bool metrics_public = false;
  // ORCH_AGENT_OFFLINE_ALERT_SECONDS: an agent unseen this long fires agent.offline.
  std::chrono::seconds agent_offline_alert{600};
  // Limits and tuning (ORCH_*; rarely changed).
  uint64_t max_body_bytes = 1024 * 1024;     // JSON bodies
  uint64_t max_object_bytes = 256ull << 30;  // snapshot objects, declared and uploaded
  // Quotas against one agent (a stolen agent token) flooding the orchestrator.
  uint64_t agent_quota_bytes = 0;  // an agent's tar snapshot sizes and pack bytes; 0: no quota
  // The repository format: refuse unencrypted snapshots (ORCH_REQUIRE_ENCRYPTION=1);
  // a backup session expires this long after its last call.
  bool require_encryption = false;
  std::chrono::seconds repo_session_ttl{3600};
  double agent_events_per_second = 20;  // sustained event rate per agent
  double agent_event_burst = 200;       // events an agent may post at once
  int64_t max_job_events = 1000;        // log events kept per job (the terminal one always)
  // ORCH_VERIFY_BYTES_PER_SECOND: verify jobs read stored objects at most
  // this fast, leaving bandwidth to uploads and restores; 0: unlimited.
  uint64_t verify_bytes_per_second = 64ull << 20;
  // ORCH_REPLICA_ID: names this replica in its WAL records and the global
  // event stream; empty: "<hostname>:<port>" (orchestrator/wiring.cc).
  std::string replica_id;
  size_t max_connections = 0;                      // ORCH_MAX_CONNECTIONS; 0: from RLIMIT_NOFILE
  std::chrono::seconds read_timeout{30};           // a request's headers and body
  std::chrono::seconds idle_timeout{75};           // keep-alive between requests
  std::chrono::seconds max_long_poll{60};          // ceiling for ?wait=
  std::chrono::seconds verify_sweep_interval{30};  // presigned-upload sweep
  int io_threads = 2;
  int worker_threads = 32;
  double token_rate_burst = 20;
  double token_rate_per_second = 2;
  size_t ws_queue_messages = 1024;
  size_t ws_queue_bytes = 8 * 1024 * 1024;

  bool tls_enabled() const { return !tls_cert.empty() && !tls_key.empty(); }
  // Browsers reach us over HTTPS (our own TLS or the proxy's): send HSTS.
  bool served_over_https() const { return tls_enabled() || behind_tls_proxy; }
  bool uses_dev_secrets() const;
};

struct LoadResult {
  Config config;
  std::vector<std::string> warnings;  // one line each, for the log
};

using Getenv = std::function<std::optional<std::string>(const std::string& name)>;

// Reads the process environment.
Getenv process_env();

// kInvalidArgument naming the first bad variable ("ORCH_LISTEN: expected host:port").
// With ORCH_ENV=production, every production_problems() line, joined by '\n'.
Result<LoadResult> load(const Getenv& getenv);

// A secret and the variable it came from; the name may be logged, the value never.
struct NamedSecret {
  const char* name;
  const std::string* value;
};

// The secrets that must all differ from each other in production (see
// production_problems()). A new secret variable belongs in this list.
std::vector<NamedSecret> distinct_secrets(const Config& c);

// What ORCH_ENV=production refuses in `c`, one line per problem, each naming
// its variable ("ORCH_REG_SECRET: must be at least 32 characters in
// production"); empty when `c` may start. Never contains a secret's value.
std::vector<std::string> production_problems(const Config& c);

}  // namespace ff::config
