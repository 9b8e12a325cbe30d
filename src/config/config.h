// Config: every environment variable the orchestrator reads, typed and checked.
//
// Names and defaults follow the seed and CONTRACT.md ("Configuration names").
// A bad value stops start-up with one line naming the variable; the default dev
// secrets produce warnings, and with ORCH_ENV=production they are refused.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

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
  std::string wal_path = "/data/orchestrator_wal.log";
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
  S3Config s3;
  std::string log_level = "info";
  // Limits and tuning (ORCH_*; rarely changed).
  uint64_t max_body_bytes = 1024 * 1024;           // JSON bodies
  uint64_t max_object_bytes = 1ull << 40;          // snapshot objects (1 TiB)
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
Result<LoadResult> load(const Getenv& getenv);

}  // namespace ff::config
