// AgentConfig: fortfail-agent's settings. Defaults, then the environment (the
// original FortFail agent's names: ORCHESTRATOR_URL, AGENT_ID, ...), then
// command-line flags: a flag wins over a variable, a variable over a default.
//
// Thread-safety: plain values; parse_agent_config is reentrant.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "client/options.h"
#include "common/status.h"

namespace ff::agent {

struct AgentConfig {
  std::string orchestrator_url = "http://127.0.0.1:8000";  // ORCHESTRATOR_URL / --url
  std::string agent_id;                                    // AGENT_ID / --agent-id (required)
  std::string reg_secret;                                  // AGENT_REG_SECRET / --reg-secret
  std::string jwt;                                         // ORCH_JWT / --token
  // Where the enrolled agent secret is kept (0600); see credential_file.h.
  std::string state_dir = "/var/lib/fortfail-agent";  // AGENT_STATE_DIR / --state-dir
  std::string enrollment_code;              // AGENT_ENROLLMENT_CODE / --enrollment-code (used once)
  std::string backup_dir = "/data/backup";  // BACKUP_DIR / --backup-dir
  std::string restore_dir = "/data/restore";  // RESTORE_DIR / --restore-dir
  std::string spool_dir;  // AGENT_SPOOL_DIR / --spool-dir; default: <restore_dir>/.fortfail-spool
  // Scratch space of restore drills (drill.h): AGENT_DRILL_DIR / --drill-dir;
  // default <restore_dir>/.fortfail-drills. Never inside another restore target.
  std::string drill_dir;
  std::chrono::seconds poll_interval{5};  // POLL_INTERVAL / --poll-interval
  std::chrono::seconds backup_interval{
      0};  // BACKUP_INTERVAL / --backup-interval; 0: on command only
  // Back up once at start, as the seed agent did (BACKUP_ON_START / --backup-on-start);
  // off: the first scheduled backup waits one BACKUP_INTERVAL. Packaged services set it off.
  bool backup_on_start = true;
  std::chrono::seconds long_poll{20};  // AGENT_LONG_POLL / --long-poll; 0: plain polling
  std::string ca_file;                 // ORCHESTRATOR_CA_FILE / --ca-file
  std::string ca_dir;                  // ORCHESTRATOR_CA_DIR / --ca-dir
  bool tls_insecure = false;           // ORCHESTRATOR_TLS_INSECURE=1 / --insecure
  // AGENT_ZSTD_LEVEL / --zstd-level (1..19). 2, not zstd's default 3: on
  // text it compresses ~40 % faster for ~0.5 % more bytes (bench/README.md).
  int zstd_level = 2;
  int zstd_threads = 0;            // AGENT_ZSTD_THREADS / --zstd-threads; 0: one per core
  std::string log_level = "info";  // AGENT_LOG_LEVEL / --log-level
  // Further directories restores may land in besides restore_dir: absolute,
  // comma-separated in AGENT_RESTORE_ROOTS / --restore-roots; "/" is refused.
  std::vector<std::string> restore_roots;
  bool keep_setid = false;  // AGENT_KEEP_SETID=1 / --keep-setid: keep setuid/setgid on restore
  // Hard caps on what one restore may extract, whatever the snapshot declares.
  uint64_t max_restore_bytes = uint64_t{1} << 40;  // AGENT_MAX_RESTORE_BYTES (1 TiB)
  uint64_t max_restore_entries = 10'000'000;       // AGENT_MAX_RESTORE_ENTRIES
  // The repository key file (key.h); empty: backups are not encrypted.
  std::string key_file;  // AGENT_KEY_FILE / --key-file
  // How backups are written: the deduplicated repository format, or the old
  // full tar.zst for orchestrators without the repository routes.
  enum class BackupFormat { kRepository, kTar };
  BackupFormat backup_format = BackupFormat::kRepository;  // AGENT_BACKUP_FORMAT / --backup-format

  client::ClientOptions client_options() const;
};

// Looks a variable up; production passes a wrapper of getenv.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_env();

// Parses the environment then argv. Returns kValidation naming the variable or
// flag for a bad value, kInvalidArgument for a usage error. `--help` and
// `--version` yield kOk with *exit_early set and the text in *message.
struct ParseOutcome {
  bool exit_early = false;
  std::string message;
};
Result<AgentConfig> parse_agent_config(int argc, const char* const* argv, const EnvLookup& env,
                                       ParseOutcome* outcome);

// Checks required values and ranges; resolves relative directories against the
// current directory; fills spool_dir's and drill_dir's defaults. kValidation
// for a drill_dir inside RESTORE_DIR (other than the default) or inside an
// AGENT_RESTORE_ROOTS entry, or containing one of them: drills must never
// meet real restores.
Status finalize_agent_config(AgentConfig& config);

// Looks at the disk: BACKUP_DIR must be an existing, readable directory.
// kValidation with one line naming BACKUP_DIR and the path otherwise.
Status check_backup_dir(const AgentConfig& config);

}  // namespace ff::agent
