#include "config/variables.h"

namespace ff::config {

namespace {

constexpr doc::Variable kVariables[] = {
    {"ORCH_LISTEN", "0.0.0.0:8000", "host:port to serve HTTP(S) and WebSocket on"},
    {"DATABASE_URL", "sqlite:///./orchestrator.db",
     "sqlite:///relative.db, sqlite:////abs.db or postgresql://user:pass@host:port/db"},
    {"WAL_PATH", "/data/orchestrator_wal.log", "write-ahead audit log file"},
    {"ORCH_DATA_DIR", "./data", "root of the embedded object store (when S3_ENDPOINT is unset)"},
    {"ORCH_ENV", "development",
     "production refuses default, short or shared secrets, MinIO credentials and plain HTTP"},
    {"ORCH_LOG_LEVEL", "info", "trace, debug, info, warn, error, critical or off"},
    {"ORCH_JWT_SECRET", "dev-jwt-secret-change-in-production", "HS256 signing secret for tokens"},
    {"ORCH_JWT_SECRET_PREVIOUS", "unset",
     "the previous JWT secret during a rotation: its tokens still verify"},
    {"ORCH_REG_SECRET", "dev-reg-secret-change-in-production",
     "registration secret agents mint agent tokens with"},
    {"ORCH_REG_SECRET_ENABLED", "1",
     "0: the registration secret mints nothing, agents use enrolled secrets"},
    {"ORCH_OPERATOR_SECRET", "unset",
     "the only secret that mints admin tokens; required in production"},
    {"ORCH_ENROLLMENT_TTL_SECONDS", "3600", "how long an agent enrollment code stays valid"},
    {"ORCH_REVOCATION_REFRESH_SECONDS", "10",
     "how often revocations made by other processes are reloaded"},
    {"ORCH_TOKEN_TTL_SECONDS", "604800", "token lifetime (7 days)"},
    {"ORCH_TOKEN_RATE_BURST", "20", "tokens one client address may mint at once"},
    {"ORCH_TOKEN_RATE_PER_SECOND", "2", "sustained token minting rate per client address"},
    {"ORCH_TLS_CERT", "unset", "PEM certificate; with ORCH_TLS_KEY: HTTPS and WSS"},
    {"ORCH_TLS_KEY", "unset", "PEM private key; with ORCH_TLS_CERT: HTTPS and WSS"},
    {"ORCH_BEHIND_TLS_PROXY", "0",
     "1: a TLS proxy in front terminates HTTPS (plain HTTP accepted in production, HSTS sent)"},
    {"ORCH_CORS_ORIGINS", "none", "comma-separated allowed browser origins"},
    {"ORCH_COMMAND_LEASE_SECONDS", "300",
     "how long a delivered command waits for an event before redelivery"},
    {"ORCH_AGENT_OFFLINE_SECONDS", "60", "an agent not seen for longer is offline"},
    {"ORCH_AGENT_EVENTS_PER_SECOND", "20", "events one agent may post per second, sustained"},
    {"ORCH_AGENT_EVENT_BURST", "200", "events one agent may post at once"},
    {"ORCH_MAX_JOB_EVENTS", "1000", "log events kept per job (the terminal one always)"},
    {"ORCH_AGENT_QUOTA_BYTES", "0", "most bytes one agent may hold; 0: no quota"},
    {"ORCH_REQUIRE_ENCRYPTION", "0", "1: refuse unencrypted snapshots"},
    {"ORCH_REPO_SESSION_TTL_SECONDS", "3600",
     "a repository backup session expires this long after its last call"},
    {"ORCH_MAX_BODY_BYTES", "1048576", "JSON request body limit (1 MiB)"},
    {"ORCH_MAX_OBJECT_BYTES", "274877906944", "largest snapshot object (256 GiB)"},
    {"ORCH_MAX_CONNECTIONS", "0",
     "connections served in full; 0: the soft RLIMIT_NOFILE less a quarter"},
    {"ORCH_READ_TIMEOUT_SECONDS", "30", "deadline for reading a request's headers and body"},
    {"ORCH_IDLE_TIMEOUT_SECONDS", "75", "keep-alive idle limit between requests"},
    {"ORCH_MAX_LONG_POLL_SECONDS", "60", "ceiling for ?wait= on command polls"},
    {"ORCH_VERIFY_SWEEP_SECONDS", "30",
     "how often objects uploaded through presigned URLs are verified"},
    {"ORCH_IO_THREADS", "2", "threads serving sockets"},
    {"ORCH_WORKER_THREADS", "32", "threads for blocking work (database, fsync, object store)"},
    {"ORCH_WS_QUEUE_MESSAGES", "1024", "messages queued per WebSocket client before it is dropped"},
    {"ORCH_WS_QUEUE_BYTES", "8388608", "bytes queued per WebSocket client before it is dropped"},
    {"S3_ENDPOINT", "unset", "S3-compatible endpoint; unset: the embedded local store"},
    {"S3_ACCESS_KEY", "minioadmin", "S3 access key"},
    {"S3_SECRET_KEY", "minioadmin", "S3 secret key"},
    {"S3_BUCKET", "fortfail-snapshots", "bucket, created at start-up if missing"},
    {"S3_REGION", "us-east-1", "SigV4 region"},
    {"S3_PART_SIZE_BYTES", "8388608",
     "objects up to this go up in one PUT; the multipart part size (8 MiB)"},
    {"S3_STREAM_PUT_MAX_BYTES", "5368709120",
     "objects up to this go up as one streaming PUT, larger ones multipart; 0: never (5 GiB)"},
};

}  // namespace

std::span<const doc::Variable> orchestrator_variables() { return kVariables; }

}  // namespace ff::config
