// The orchestrator's configuration (src/config): the input is its environment,
// NAME=VALUE per line (env_input.h).
// Properties: nothing crashes; a refusal is kInvalidArgument naming a variable
// ("NAME: why"); an accepted configuration keeps every value in its
// documented range (rates finite and positive, limits within their bounds) and,
// in production, holds no default secret and a JWT secret of 32+ characters.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "env_input.h"
#include "fuzz_check.h"

// Every variable the code reads (for "@<index>" lines; see env_input.h).
const std::vector<std::string> kNames = {
    "ORCH_JWT_SECRET",
    "ORCH_REG_SECRET",
    "DATABASE_URL",
    "WAL_PATH",
    "ORCH_DATA_DIR",
    "ORCH_TLS_CERT",
    "ORCH_TLS_KEY",
    "ORCH_LOG_LEVEL",
    "S3_ENDPOINT",
    "S3_ACCESS_KEY",
    "S3_SECRET_KEY",
    "S3_BUCKET",
    "S3_REGION",
    "ORCH_LISTEN",
    "ORCH_TOKEN_TTL_SECONDS",
    "ORCH_COMMAND_LEASE_SECONDS",
    "ORCH_AGENT_OFFLINE_SECONDS",
    "ORCH_READ_TIMEOUT_SECONDS",
    "ORCH_IDLE_TIMEOUT_SECONDS",
    "ORCH_MAX_LONG_POLL_SECONDS",
    "ORCH_VERIFY_SWEEP_SECONDS",
    "ORCH_MAX_BODY_BYTES",
    "ORCH_MAX_OBJECT_BYTES",
    "ORCH_IO_THREADS",
    "ORCH_WORKER_THREADS",
    "ORCH_WS_QUEUE_MESSAGES",
    "ORCH_WS_QUEUE_BYTES",
    "S3_PART_SIZE_BYTES",
    "S3_STREAM_PUT_MAX_BYTES",
    "ORCH_TOKEN_RATE_BURST",
    "ORCH_TOKEN_RATE_PER_SECOND",
    "ORCH_CORS_ORIGINS",
    "ORCH_ENV",
    "ORCH_REQUIRE_ENCRYPTION",
    "ORCH_REPO_SESSION_TTL_SECONDS",
};

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ff::fuzz::EnvInput input = ff::fuzz::parse_env_input(
      std::string_view(reinterpret_cast<const char*>(data), size), kNames);
  auto loaded = ff::config::load([&](const std::string& name) { return input.get(name); });
  if (!loaded.ok()) {
    FF_FUZZ_CHECK(loaded.status().code() == ff::Code::kInvalidArgument);
    const std::string& msg = loaded.status().message();
    size_t colon = msg.find(": ");
    FF_FUZZ_CHECK(colon != std::string::npos && colon > 0);
    FF_FUZZ_CHECK(input.env.count(msg.substr(0, colon)) == 1 ||
                  msg.compare(0, colon, "ORCH_JWT_SECRET") == 0 ||
                  msg.compare(0, colon, "ORCH_REG_SECRET") == 0 ||
                  msg.compare(0, colon, "S3_SECRET_KEY") == 0 ||
                  msg.compare(0, colon, "ORCH_OPERATOR_SECRET") == 0 ||
                  msg.compare(0, colon, "ORCH_TLS_CERT") == 0 ||
                  msg.compare(0, colon, "ORCH_TLS_KEY") == 0);
    return 0;
  }
  const ff::config::Config& c = loaded->config;
  FF_FUZZ_CHECK(!c.jwt_secret.empty() && !c.reg_secret.empty());
  // An empty WAL_PATH is refused; unset, the path is derived at start-up.
  FF_FUZZ_CHECK(!c.wal_path.empty() || input.env.count("WAL_PATH") == 0);
  FF_FUZZ_CHECK(std::isfinite(c.token_rate_burst) && c.token_rate_burst >= 1);
  FF_FUZZ_CHECK(std::isfinite(c.token_rate_per_second) && c.token_rate_per_second >= 0.001);
  FF_FUZZ_CHECK(c.io_threads >= 1 && c.io_threads <= 64);
  FF_FUZZ_CHECK(c.worker_threads >= 1 && c.worker_threads <= 1024);
  FF_FUZZ_CHECK(c.max_body_bytes >= 1024 && c.max_object_bytes >= 1);
  FF_FUZZ_CHECK(c.token_ttl.count() >= 1 && c.read_timeout.count() >= 1);
  FF_FUZZ_CHECK(c.tls_cert.empty() == c.tls_key.empty());
  if (c.production) {
    FF_FUZZ_CHECK(!c.uses_dev_secrets());
    FF_FUZZ_CHECK(c.jwt_secret.size() >= 32);
  }
  return 0;
}
