#include "agent/variables.h"

namespace ff::agent {

namespace {

constexpr doc::Variable kVariables[] = {
    {"ORCHESTRATOR_URL", "http://127.0.0.1:8000", "orchestrator base URL"},
    {"AGENT_ID", "unset (required)", "this agent's id"},
    {"AGENT_REG_SECRET", "unset", "registration secret to mint agent tokens with"},
    {"ORCH_JWT", "unset", "a pre-provisioned agent token instead of a secret"},
    {"AGENT_ENROLLMENT_CODE", "unset",
     "one-time code from `fortfail agent enroll`, exchanged once for the agent's own secret"},
    {"AGENT_STATE_DIR", "/var/lib/fortfail-agent",
     "keeps the enrolled secret (0600) and the backup file cache"},
    {"BACKUP_DIR", "/data/backup", "directory to back up"},
    {"RESTORE_DIR", "/data/restore", "where restores land"},
    {"AGENT_RESTORE_ROOTS", "none",
     "further absolute directories, comma-separated, a restore may target"},
    {"AGENT_SPOOL_DIR", "<RESTORE_DIR>/.fortfail-spool", "scratch space for archives"},
    {"AGENT_DRILL_DIR", "<RESTORE_DIR>/.fortfail-drills",
     "scratch space of restore drills (0700), emptied after each; never inside a restore target"},
    {"POLL_INTERVAL", "5", "seconds between command polls"},
    {"AGENT_LONG_POLL", "20", "long-poll wait in seconds; 0: plain polling"},
    {"BACKUP_ON_START", "1",
     "1: back up once at start (as the seed agent); 0: on command or schedule"},
    {"BACKUP_INTERVAL", "0", "seconds between backups of its own; 0: on command only"},
    {"AGENT_KEY_FILE", "unset", "repository key: backups are encrypted; without one they are not"},
    {"AGENT_BACKUP_FORMAT", "repository", "repository (deduplicated) or tar (full tar.zst)"},
    {"AGENT_ZSTD_LEVEL", "2", "zstd level 1..19"},
    {"AGENT_ZSTD_THREADS", "0", "zstd worker threads; 0: one per core"},
    {"AGENT_KEEP_SETID", "0", "1: keep setuid/setgid bits of restored files"},
    {"AGENT_MAX_RESTORE_BYTES", "1099511627776", "most bytes one restore may write (1 TiB)"},
    {"AGENT_MAX_RESTORE_ENTRIES", "10000000", "most entries one restore may create"},
    {"ORCHESTRATOR_CA_FILE", "unset", "CA bundle for https"},
    {"ORCHESTRATOR_CA_DIR", "unset", "CA directory for https"},
    {"ORCHESTRATOR_TLS_INSECURE", "0", "1: skip TLS certificate checks (development only)"},
    {"AGENT_LOG_LEVEL", "info", "trace, debug, info, warn, error or off"},
};

}  // namespace

std::span<const doc::Variable> agent_variables() { return kVariables; }

}  // namespace ff::agent
