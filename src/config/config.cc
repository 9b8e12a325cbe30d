#include "config/config.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace ff::config {

namespace {

Status bad(const std::string& name, const std::string& why) {
  return InvalidArgument(name + ": " + why);
}

// S3_KEY_PREFIX is put in front of object keys verbatim: keep it a plain
// relative prefix.
Status check_key_prefix(const std::string& p) {
  const char* name = "S3_KEY_PREFIX";
  if (p.size() > 256) return bad(name, "at most 256 bytes");
  if (p.starts_with('/')) return bad(name, "must not start with '/'");
  if (p.find("..") != std::string::npos) return bad(name, "must not contain '..'");
  for (char c : p) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\') {
      return bad(name, "must not contain control characters or '\\'");
    }
  }
  return OkStatus();
}

// It travels in notices between replicas ("<replica> <agent id>") and in
// every streamed record: a short name without spaces.
Status check_replica_id(const std::string& id) {
  const char* name = "ORCH_REPLICA_ID";
  if (id.size() > 64) return bad(name, "at most 64 characters");
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return bad(name, "letters, digits, '-', '_', '.' and ':' only");
  }
  return OkStatus();
}

Result<int64_t> parse_int(const std::string& name, const std::string& v, int64_t min, int64_t max) {
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size()) return bad(name, "expected an integer");
  if (out < min || out > max) {
    return bad(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return out;
}

Result<double> parse_double(const std::string& name, const std::string& v, double min) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size()) return bad(name, "expected a number");
  // strtod also reads "nan", "inf" and overflowing exponents ("1e999"); NaN
  // passes every `<` check below; either would make the rate limiter meaningless.
  if (!std::isfinite(d)) return bad(name, "expected a finite number");
  if (d < min) return bad(name, "must be at least " + std::to_string(min));
  return d;
}

std::vector<std::string> split_csv(const std::string& v) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= v.size()) {
    size_t comma = v.find(',', start);
    if (comma == std::string::npos) comma = v.size();
    std::string item = v.substr(start, comma - start);
    auto b = item.find_first_not_of(" \t");
    auto e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    start = comma + 1;
  }
  return out;
}

// ORCH_OPERATOR_SECRET separates who runs the fleet from what every agent
// host holds: production requires it, long and distinct from every other secret.
Status check_operator_secret(const Config& c, std::vector<std::string>* warnings) {
  if (!c.jwt_secret_previous.empty() && c.jwt_secret_previous == c.jwt_secret) {
    return bad("ORCH_JWT_SECRET_PREVIOUS", "must differ from ORCH_JWT_SECRET");
  }
  // Production's refusals (missing, short, shared) are in production.cc, with
  // the other secrets'; here only what holds in every mode.
  if (c.operator_secret.empty()) {
    if (!c.reg_secret_enabled) {
      return bad("ORCH_REG_SECRET_ENABLED",
                 "0 needs ORCH_OPERATOR_SECRET: nothing else could mint admin tokens");
    }
    warnings->push_back(
        "ORCH_OPERATOR_SECRET is not set: the registration secret every agent holds also mints "
        "admin tokens. Set ORCH_OPERATOR_SECRET.");
    return OkStatus();
  }
  struct Other {
    const char* name;
    const std::string& value;
  };
  for (const Other& o :
       {Other{"ORCH_JWT_SECRET", c.jwt_secret}, Other{"ORCH_REG_SECRET", c.reg_secret},
        Other{"ORCH_JWT_SECRET_PREVIOUS", c.jwt_secret_previous}}) {
    if (!o.value.empty() && o.value == c.operator_secret) {
      warnings->push_back(std::string("ORCH_OPERATOR_SECRET equals ") + o.name +
                          ": whoever holds one holds both.");
    }
  }
  return OkStatus();
}

}  // namespace

bool Config::uses_dev_secrets() const {
  return jwt_secret == kDevJwtSecret || reg_secret == kDevRegSecret;
}

Getenv process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<LoadResult> load(const Getenv& getenv) {
  LoadResult r;
  Config& c = r.config;
  auto str = [&](const char* name, std::string* out) {
    if (auto v = getenv(name)) *out = *v;
  };
  auto seconds = [&](const char* name, std::chrono::seconds* out, int64_t min,
                     int64_t max) -> Status {
    if (auto v = getenv(name)) {
      FF_ASSIGN_OR_RETURN(int64_t n, parse_int(name, *v, min, max));
      *out = std::chrono::seconds(n);
    }
    return OkStatus();
  };
  auto flag = [&](const char* name, bool* out) -> Status {
    if (auto v = getenv(name)) {
      if (*v == "1" || *v == "true") {
        *out = true;
      } else if (*v == "0" || *v == "false") {
        *out = false;
      } else {
        return bad(name, "expected 1 or 0");
      }
    }
    return OkStatus();
  };
  auto integer = [&](const char* name, auto* out, int64_t min, int64_t max) -> Status {
    if (auto v = getenv(name)) {
      FF_ASSIGN_OR_RETURN(int64_t n, parse_int(name, *v, min, max));
      *out = static_cast<std::remove_pointer_t<decltype(out)>>(n);
    }
    return OkStatus();
  };

  str("ORCH_JWT_SECRET", &c.jwt_secret);
  str("ORCH_REG_SECRET", &c.reg_secret);
  str("ORCH_OPERATOR_SECRET", &c.operator_secret);
  str("ORCH_JWT_SECRET_PREVIOUS", &c.jwt_secret_previous);
  str("DATABASE_URL", &c.database_url);
  if (auto v = getenv("WAL_PATH")) {
    if (v->empty()) return bad("WAL_PATH", "must not be empty (unset it for the default)");
    c.wal_path = *v;
  }
  str("ORCH_DATA_DIR", &c.data_dir);
  str("ORCH_TLS_CERT", &c.tls_cert);
  str("ORCH_TLS_KEY", &c.tls_key);
  str("ORCH_LOG_LEVEL", &c.log_level);
  str("ORCH_LOG_FORMAT", &c.log_format);
  str("ORCH_REPLICA_ID", &c.replica_id);
  str("S3_ENDPOINT", &c.s3.endpoint);
  str("S3_ACCESS_KEY", &c.s3.access_key);
  str("S3_SECRET_KEY", &c.s3.secret_key);
  str("S3_BUCKET", &c.s3.bucket);
  str("S3_REGION", &c.s3.region);
  str("S3_KEY_PREFIX", &c.s3.key_prefix);

  if (c.jwt_secret.empty()) return bad("ORCH_JWT_SECRET", "must not be empty");
  if (c.reg_secret.empty()) return bad("ORCH_REG_SECRET", "must not be empty");
  FF_TRY(check_key_prefix(c.s3.key_prefix));
  FF_TRY(check_replica_id(c.replica_id));
  if (c.database_url.rfind("sqlite://", 0) != 0 && c.database_url.rfind("postgresql://", 0) != 0 &&
      c.database_url.rfind("postgres://", 0) != 0) {
    return bad("DATABASE_URL", "expected sqlite:///path or postgresql://...");
  }
  if (auto v = getenv("ORCH_LISTEN")) {
    auto colon = v->rfind(':');
    if (colon == std::string::npos || colon == 0) return bad("ORCH_LISTEN", "expected host:port");
    std::string host = v->substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    }
    FF_ASSIGN_OR_RETURN(int64_t port, parse_int("ORCH_LISTEN", v->substr(colon + 1), 0, 65535));
    c.listen_host = host;
    c.listen_port = static_cast<uint16_t>(port);
  }
  FF_TRY(seconds("ORCH_TOKEN_TTL_SECONDS", &c.token_ttl, 1, 10LL * 365 * 86400));
  FF_TRY(seconds("ORCH_COMMAND_LEASE_SECONDS", &c.command_lease, 1, 7 * 86400));
  FF_TRY(seconds("ORCH_AGENT_OFFLINE_SECONDS", &c.agent_offline, 1, 7 * 86400));
  FF_TRY(seconds("ORCH_READ_TIMEOUT_SECONDS", &c.read_timeout, 1, 3600));
  FF_TRY(seconds("ORCH_IDLE_TIMEOUT_SECONDS", &c.idle_timeout, 1, 3600));
  FF_TRY(seconds("ORCH_MAX_LONG_POLL_SECONDS", &c.max_long_poll, 0, 3600));
  FF_TRY(seconds("ORCH_VERIFY_SWEEP_SECONDS", &c.verify_sweep_interval, 1, 86400));
  FF_TRY(seconds("ORCH_ENROLLMENT_TTL_SECONDS", &c.enrollment_ttl, 60, 30 * 86400));
  FF_TRY(seconds("ORCH_REVOCATION_REFRESH_SECONDS", &c.revocation_refresh, 1, 3600));
  FF_TRY(flag("ORCH_REG_SECRET_ENABLED", &c.reg_secret_enabled));
  FF_TRY(flag("ORCH_REQUIRE_ENCRYPTION", &c.require_encryption));
  FF_TRY(flag("ORCH_METRICS_PUBLIC", &c.metrics_public));
  FF_TRY(seconds("ORCH_AGENT_OFFLINE_ALERT_SECONDS", &c.agent_offline_alert, 1, 30 * 86400));
  FF_TRY(seconds("ORCH_REPO_SESSION_TTL_SECONDS", &c.repo_session_ttl, 1, 30 * 86400));
  FF_TRY(integer("ORCH_MAX_BODY_BYTES", &c.max_body_bytes, 1024, 1LL << 30));
  FF_TRY(integer("ORCH_MAX_OBJECT_BYTES", &c.max_object_bytes, 1, 1LL << 50));
  FF_TRY(integer("ORCH_AGENT_QUOTA_BYTES", &c.agent_quota_bytes, 0, 1LL << 60));
  FF_TRY(integer("ORCH_MAX_JOB_EVENTS", &c.max_job_events, 10, 1000000));
  FF_TRY(integer("ORCH_VERIFY_BYTES_PER_SECOND", &c.verify_bytes_per_second, 0, 1LL << 40));
  FF_TRY(integer("ORCH_MAX_CONNECTIONS", &c.max_connections, 0, 1 << 20));
  FF_TRY(integer("ORCH_IO_THREADS", &c.io_threads, 1, 64));
  FF_TRY(integer("ORCH_WORKER_THREADS", &c.worker_threads, 1, 1024));
  FF_TRY(integer("ORCH_WS_QUEUE_MESSAGES", &c.ws_queue_messages, 1, 1 << 20));
  FF_TRY(integer("ORCH_WS_QUEUE_BYTES", &c.ws_queue_bytes, 1024, 1LL << 32));
  if (auto v = getenv("S3_PART_SIZE_BYTES")) {
    FF_ASSIGN_OR_RETURN(int64_t n, parse_int("S3_PART_SIZE_BYTES", *v, 1024, 5LL << 30));
    c.s3.part_size = static_cast<uint64_t>(n);
  }
  if (auto v = getenv("S3_STREAM_PUT_MAX_BYTES")) {
    FF_ASSIGN_OR_RETURN(int64_t n, parse_int("S3_STREAM_PUT_MAX_BYTES", *v, 0, 5LL << 30));
    c.s3.stream_put_max_size = static_cast<uint64_t>(n);
  }
  if (auto v = getenv("ORCH_TOKEN_RATE_BURST")) {
    FF_ASSIGN_OR_RETURN(c.token_rate_burst, parse_double("ORCH_TOKEN_RATE_BURST", *v, 1));
  }
  if (auto v = getenv("ORCH_TOKEN_RATE_PER_SECOND")) {
    FF_ASSIGN_OR_RETURN(c.token_rate_per_second,
                        parse_double("ORCH_TOKEN_RATE_PER_SECOND", *v, 0.001));
  }
  if (auto v = getenv("ORCH_AGENT_EVENT_BURST")) {
    FF_ASSIGN_OR_RETURN(c.agent_event_burst, parse_double("ORCH_AGENT_EVENT_BURST", *v, 1));
  }
  if (auto v = getenv("ORCH_AGENT_EVENTS_PER_SECOND")) {
    FF_ASSIGN_OR_RETURN(c.agent_events_per_second,
                        parse_double("ORCH_AGENT_EVENTS_PER_SECOND", *v, 0.001));
  }
  if (auto v = getenv("ORCH_CORS_ORIGINS")) c.cors_origins = split_csv(*v);
  if (auto v = getenv("ORCH_ENV")) {
    if (*v == "production") {
      c.production = true;
    } else if (!v->empty() && *v != "development" && *v != "dev" && *v != "test") {
      return bad("ORCH_ENV", "expected production or development");
    }
  }
  if (auto v = getenv("ORCH_TRUSTED_PROXIES")) {
    auto ranges = AddressRanges::parse(*v);
    if (!ranges.ok()) return bad("ORCH_TRUSTED_PROXIES", ranges.status().message());
    c.trusted_proxies = std::move(ranges).value();
  }
  if (auto v = getenv("ORCH_BEHIND_TLS_PROXY")) {
    if (*v == "1" || *v == "true") {
      c.behind_tls_proxy = true;
    } else if (!v->empty() && *v != "0" && *v != "false") {
      return bad("ORCH_BEHIND_TLS_PROXY", "expected 1 or 0");
    }
  }
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return bad(c.tls_cert.empty() ? "ORCH_TLS_CERT" : "ORCH_TLS_KEY",
               "ORCH_TLS_CERT and ORCH_TLS_KEY must be set together");
  }
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  bool level_ok = false;
  for (const char* l : kLevels) level_ok = level_ok || c.log_level == l;
  if (!level_ok) return bad("ORCH_LOG_LEVEL", "expected trace, debug, info, warn, error or off");
  if (c.log_format != "text" && c.log_format != "json") {
    return bad("ORCH_LOG_FORMAT", "expected text or json");
  }

  if (c.production) {
    std::vector<std::string> problems = production_problems(c);
    if (!problems.empty()) {
      std::string all;
      for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p;
      return InvalidArgument(all);
    }
  }
  if (c.jwt_secret == kDevJwtSecret) {
    r.warnings.push_back(
        "ORCH_JWT_SECRET is the default dev secret: anyone can forge tokens. Set a strong secret.");
  }
  if (c.reg_secret == kDevRegSecret) {
    r.warnings.push_back(
        "ORCH_REG_SECRET is the default dev secret: anyone can mint tokens. Set a strong secret.");
  }
  FF_TRY(check_operator_secret(c, &r.warnings));
  if (!c.s3.endpoint.empty() &&
      (c.s3.access_key == "minioadmin" || c.s3.secret_key == "minioadmin")) {
    r.warnings.push_back("S3 credentials are MinIO's defaults (minioadmin).");
  }
  return r;
}

}  // namespace ff::config
