#include "agent/config.h"

#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "agent/variables.h"
#include "common/ids.h"
#include "doc/manpage.h"

namespace ff::agent {

namespace {

Status read_seconds(const EnvLookup& env, const char* name, std::chrono::seconds* out) {
  auto v = env(name);
  if (!v || v->empty()) return OkStatus();
  char* end = nullptr;
  long long n = std::strtoll(v->c_str(), &end, 10);
  if (end == v->c_str() || *end != '\0' || n < 0 || n > 100LL * 365 * 86400) {
    return ValidationError(std::string(name) + ": expected a whole number of seconds, got '" + *v +
                           "'");
  }
  *out = std::chrono::seconds(n);
  return OkStatus();
}

Status read_int(const EnvLookup& env, const char* name, int* out) {
  auto v = env(name);
  if (!v || v->empty()) return OkStatus();
  char* end = nullptr;
  long n = std::strtol(v->c_str(), &end, 10);
  if (end == v->c_str() || *end != '\0' || n < 0 || n > 1000) {
    return ValidationError(std::string(name) + ": expected a small whole number, got '" + *v + "'");
  }
  *out = static_cast<int>(n);
  return OkStatus();
}

Status read_count(const EnvLookup& env, const char* name, uint64_t* out) {
  auto v = env(name);
  if (!v || v->empty()) return OkStatus();
  char* end = nullptr;
  errno = 0;
  unsigned long long n = std::strtoull(v->c_str(), &end, 10);
  if (end == v->c_str() || *end != '\0' || (*v)[0] == '-' || errno == ERANGE || n == 0) {
    return ValidationError(std::string(name) + ": expected a positive whole number, got '" + *v +
                           "'");
  }
  *out = n;
  return OkStatus();
}

// "a,b,c" -> {"a","b","c"}; empty items dropped.
std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= v.size()) {
    size_t end = v.find(',', start);
    if (end == std::string::npos) end = v.size();
    std::string item = v.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

void read_string(const EnvLookup& env, const char* name, std::string* out) {
  if (auto v = env(name); v && !v->empty()) *out = *v;
}

bool truthy(const std::string& v) { return v == "1" || v == "true" || v == "yes" || v == "on"; }

std::string absolute(const std::string& p) {
  if (p.empty()) return p;
  std::error_code ec;
  auto abs = std::filesystem::absolute(p, ec);
  return ec ? p : abs.lexically_normal().string();
}

}  // namespace

client::ClientOptions AgentConfig::client_options() const {
  client::ClientOptions o;
  o.base_url = orchestrator_url;
  o.ca_file = ca_file;
  o.ca_dir = ca_dir;
  o.insecure = tls_insecure;
  o.user_agent = "fortfail-agent/" FF_VERSION;
  return o;
}

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<AgentConfig> parse_agent_config(int argc, const char* const* argv, const EnvLookup& env,
                                       ParseOutcome* outcome) {
  AgentConfig c;
  read_string(env, "ORCHESTRATOR_URL", &c.orchestrator_url);
  read_string(env, "AGENT_ID", &c.agent_id);
  read_string(env, "AGENT_REG_SECRET", &c.reg_secret);
  read_string(env, "ORCH_JWT", &c.jwt);
  read_string(env, "AGENT_STATE_DIR", &c.state_dir);
  read_string(env, "AGENT_ENROLLMENT_CODE", &c.enrollment_code);
  read_string(env, "BACKUP_DIR", &c.backup_dir);
  read_string(env, "RESTORE_DIR", &c.restore_dir);
  read_string(env, "AGENT_SPOOL_DIR", &c.spool_dir);
  read_string(env, "AGENT_DRILL_DIR", &c.drill_dir);
  FF_TRY(read_seconds(env, "POLL_INTERVAL", &c.poll_interval));
  FF_TRY(read_seconds(env, "BACKUP_INTERVAL", &c.backup_interval));
  if (auto v = env("BACKUP_ON_START")) {
    if (truthy(*v)) {
      c.backup_on_start = true;
    } else if (*v == "0" || *v == "false" || *v == "no" || *v == "off") {
      c.backup_on_start = false;
    } else {
      return ValidationError("BACKUP_ON_START must be 1 or 0, got '" + *v + "'");
    }
  }
  FF_TRY(read_seconds(env, "AGENT_LONG_POLL", &c.long_poll));
  read_string(env, "ORCHESTRATOR_CA_FILE", &c.ca_file);
  read_string(env, "ORCHESTRATOR_CA_DIR", &c.ca_dir);
  if (auto v = env("ORCHESTRATOR_TLS_INSECURE")) c.tls_insecure = truthy(*v);
  FF_TRY(read_int(env, "AGENT_ZSTD_LEVEL", &c.zstd_level));
  FF_TRY(read_int(env, "AGENT_ZSTD_THREADS", &c.zstd_threads));
  read_string(env, "AGENT_LOG_LEVEL", &c.log_level);
  std::string roots;
  read_string(env, "AGENT_RESTORE_ROOTS", &roots);
  if (auto v = env("AGENT_KEEP_SETID")) c.keep_setid = truthy(*v);
  FF_TRY(read_count(env, "AGENT_MAX_RESTORE_BYTES", &c.max_restore_bytes));
  FF_TRY(read_count(env, "AGENT_MAX_RESTORE_ENTRIES", &c.max_restore_entries));
  read_string(env, "AGENT_KEY_FILE", &c.key_file);
  std::string format = "repository";
  read_string(env, "AGENT_BACKUP_FORMAT", &format);

  CLI::App app{
      "fortfail-agent: backs up and restores this machine's data for a FortFail "
      "orchestrator.\nEvery flag may also be given as the environment variable in "
      "brackets; the flag wins.",
      "fortfail-agent"};
  app.set_version_flag("--version", std::string("fortfail-agent ") + FF_VERSION);
  app.footer(doc::render_variables(agent_variables()));
  // --help shows each option's default (the environment's value when set);
  // the secrets' options never show theirs.
  app.option_defaults()->always_capture_default();
  bool man = false;
  int64_t poll = c.poll_interval.count(), backup = c.backup_interval.count(),
          long_poll = c.long_poll.count();
  app.add_option("--url", c.orchestrator_url, "orchestrator base URL [ORCHESTRATOR_URL]");
  app.add_option("--agent-id", c.agent_id, "this agent's id [AGENT_ID]");
  app.add_option("--reg-secret", c.reg_secret, "registration secret [AGENT_REG_SECRET]")
      ->default_str("");
  app.add_option("--token", c.jwt, "pre-provisioned agent token [ORCH_JWT]")->default_str("");
  app.add_option("--state-dir", c.state_dir,
                 "keeps the enrolled agent secret, 0600 [AGENT_STATE_DIR]");
  app.add_option("--enrollment-code", c.enrollment_code,
                 "one-time code from `fortfail agent enroll`, exchanged for the agent's own "
                 "secret [AGENT_ENROLLMENT_CODE]")
      ->default_str("");
  app.add_option("--backup-dir", c.backup_dir, "directory to back up [BACKUP_DIR]");
  app.add_option("--restore-dir", c.restore_dir, "where restores land [RESTORE_DIR]");
  app.add_option("--spool-dir", c.spool_dir, "scratch space for archives [AGENT_SPOOL_DIR]");
  app.add_option("--drill-dir", c.drill_dir,
                 "scratch space of restore drills, emptied after each [AGENT_DRILL_DIR]");
  app.add_option("--poll-interval", poll, "seconds between command polls [POLL_INTERVAL]")
      ->check(CLI::Range(int64_t{1}, int64_t{86400}));
  app.add_option("--backup-interval", backup,
                 "seconds between scheduled backups, 0 = on command only [BACKUP_INTERVAL]")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--backup-on-start", c.backup_on_start,
                 "back up once at start, 1 (default, as the seed agent) or 0 [BACKUP_ON_START]");
  app.add_option("--long-poll", long_poll, "long-poll wait in seconds, 0 = off [AGENT_LONG_POLL]")
      ->check(CLI::Range(int64_t{0}, int64_t{300}));
  app.add_option("--ca-file", c.ca_file, "CA bundle for https [ORCHESTRATOR_CA_FILE]");
  app.add_option("--ca-dir", c.ca_dir, "CA directory for https [ORCHESTRATOR_CA_DIR]");
  app.add_flag("--insecure", c.tls_insecure,
               "skip TLS certificate checks, development only [ORCHESTRATOR_TLS_INSECURE]");
  app.add_option("--zstd-level", c.zstd_level, "zstd level 1..19 [AGENT_ZSTD_LEVEL]")
      ->check(CLI::Range(1, 19));
  app.add_option("--zstd-threads", c.zstd_threads,
                 "zstd worker threads, 0 = cores [AGENT_ZSTD_THREADS]")
      ->check(CLI::Range(0, 256));
  app.add_option("--log-level", c.log_level, "trace|debug|info|warn|error [AGENT_LOG_LEVEL]");
  app.add_option("--restore-roots", roots,
                 "comma-separated absolute directories restores may also land in "
                 "[AGENT_RESTORE_ROOTS]");
  app.add_flag("--keep-setid", c.keep_setid,
               "keep setuid/setgid bits of restored files [AGENT_KEEP_SETID]");
  app.add_option("--max-restore-bytes", c.max_restore_bytes,
                 "most bytes one restore may extract [AGENT_MAX_RESTORE_BYTES]")
      ->check(CLI::PositiveNumber);
  app.add_option("--max-restore-entries", c.max_restore_entries,
                 "most entries one restore may extract [AGENT_MAX_RESTORE_ENTRIES]")
      ->check(CLI::PositiveNumber);
  app.add_option("--key-file", c.key_file,
                 "repository key (`fortfail key generate`); without one backups are "
                 "deduplicated and compressed but not encrypted [AGENT_KEY_FILE]");
  app.add_option("--backup-format", format,
                 "repository (deduplicated, default) or tar (full tar.zst for old "
                 "orchestrators) [AGENT_BACKUP_FORMAT]");
  app.add_flag("--man", man, "print the manual page (roff) and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    outcome->exit_early = true;
    outcome->message = app.help();
    return c;
  } catch (const CLI::CallForVersion&) {
    outcome->exit_early = true;
    outcome->message = std::string("fortfail-agent ") + FF_VERSION + "\n";
    return c;
  } catch (const CLI::ParseError& e) {
    return InvalidArgument(e.what());
  }
  if (man) {
    doc::ManPage page;
    page.name = "fortfail-agent";
    page.summary = "backs up and restores this machine's data for a FortFail orchestrator";
    page.description =
        "Polls the orchestrator for commands (backups, restores, restore drills) and\n"
        "carries them out.\n"
        "Every option may also be given as the environment variable named in brackets;\n"
        "the option wins over the variable, the variable over the default.";
    page.app = &app;
    page.variables = agent_variables();
    page.files =
        "/etc/fortfail/agent.env: settings of the packaged service (systemd EnvironmentFile)\n"
        "/var/lib/fortfail-agent: the enrolled agent secret and the backup file cache";
    outcome->exit_early = true;
    outcome->message = doc::render_man(page);
    return c;
  }
  c.poll_interval = std::chrono::seconds(poll);
  c.backup_interval = std::chrono::seconds(backup);
  c.long_poll = std::chrono::seconds(long_poll);
  c.restore_roots = split_list(roots);
  if (format == "repository") {
    c.backup_format = AgentConfig::BackupFormat::kRepository;
  } else if (format == "tar") {
    c.backup_format = AgentConfig::BackupFormat::kTar;
  } else {
    return ValidationError("AGENT_BACKUP_FORMAT must be repository or tar, got '" + format + "'");
  }
  return c;
}

Status check_backup_dir(const AgentConfig& c) {
  std::error_code ec;
  auto st = std::filesystem::status(c.backup_dir, ec);
  if (!std::filesystem::exists(st)) {
    return ValidationError("BACKUP_DIR " + c.backup_dir +
                           " does not exist: create it, or point BACKUP_DIR (--backup-dir) at "
                           "the directory to back up");
  }
  if (!std::filesystem::is_directory(st)) {
    return ValidationError("BACKUP_DIR " + c.backup_dir + " is not a directory");
  }
  if (::access(c.backup_dir.c_str(), R_OK | X_OK) != 0) {
    return ValidationError("BACKUP_DIR " + c.backup_dir + " is not readable by this user");
  }
  return OkStatus();
}

Status finalize_agent_config(AgentConfig& c) {
  if (c.agent_id.empty()) return ValidationError("AGENT_ID (--agent-id) is required");
  FF_TRY(validate_id("AGENT_ID", c.agent_id));
  if (c.state_dir.empty()) return ValidationError("AGENT_STATE_DIR must not be empty");
  c.state_dir = absolute(c.state_dir);
  std::error_code ec;
  bool enrolled = std::filesystem::exists(c.state_dir + "/agent_secret", ec);
  if (c.reg_secret.empty() && c.jwt.empty() && c.enrollment_code.empty() && !enrolled) {
    return ValidationError(
        "AGENT_REG_SECRET (--reg-secret), ORCH_JWT (--token), AGENT_ENROLLMENT_CODE "
        "(--enrollment-code) or an enrolled secret in AGENT_STATE_DIR is required");
  }
  if (c.orchestrator_url.rfind("http://", 0) != 0 && c.orchestrator_url.rfind("https://", 0) != 0) {
    return ValidationError("ORCHESTRATOR_URL must start with http:// or https://, got '" +
                           c.orchestrator_url + "'");
  }
  if (c.poll_interval.count() < 1)
    return ValidationError("POLL_INTERVAL must be at least 1 second");
  if (c.zstd_level < 1 || c.zstd_level > 19) {
    return ValidationError("AGENT_ZSTD_LEVEL must be between 1 and 19");
  }
  if (c.backup_dir.empty()) return ValidationError("BACKUP_DIR must not be empty");
  if (c.restore_dir.empty()) return ValidationError("RESTORE_DIR must not be empty");
  c.backup_dir = absolute(c.backup_dir);
  c.restore_dir = absolute(c.restore_dir);
  for (auto& r : c.restore_roots) {
    if (r.front() != '/') {
      return ValidationError("AGENT_RESTORE_ROOTS: '" + r + "' is not an absolute path");
    }
    r = absolute(r);
    while (r.size() > 1 && r.back() == '/') r.pop_back();
    if (r == "/") return ValidationError("AGENT_RESTORE_ROOTS: '/' is not allowed as a root");
  }
  if (c.spool_dir.empty()) c.spool_dir = c.restore_dir + "/.fortfail-spool";
  c.spool_dir = absolute(c.spool_dir);
  auto trimmed = [](std::string p) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
  };
  std::string default_drill_dir = trimmed(absolute(c.restore_dir + "/.fortfail-drills"));
  c.drill_dir = c.drill_dir.empty() ? default_drill_dir : trimmed(absolute(c.drill_dir));
  if (c.drill_dir != default_drill_dir) {
    std::vector<std::string> targets = c.restore_roots;
    targets.push_back(trimmed(c.restore_dir));
    for (const auto& t : targets) {
      if (c.drill_dir == t || c.drill_dir.rfind(t == "/" ? t : t + "/", 0) == 0) {
        return ValidationError("AGENT_DRILL_DIR: '" + c.drill_dir +
                               "' is inside the restore target " + t +
                               "; drills must never share a directory with real restores");
      }
      if (t.rfind(c.drill_dir == "/" ? c.drill_dir : c.drill_dir + "/", 0) == 0) {
        return ValidationError("AGENT_DRILL_DIR: '" + c.drill_dir +
                               "' contains the restore target " + t +
                               "; drills must never share a directory with real restores");
      }
    }
  }
  if (!c.ca_file.empty()) c.ca_file = absolute(c.ca_file);
  if (!c.key_file.empty()) c.key_file = absolute(c.key_file);
  if (!c.ca_dir.empty()) c.ca_dir = absolute(c.ca_dir);
  static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
  bool level_ok = false;
  for (const char* l : kLevels) level_ok = level_ok || c.log_level == l;
  if (!level_ok)
    return ValidationError("AGENT_LOG_LEVEL must be one of trace|debug|info|warn|error");
  return OkStatus();
}

}  // namespace ff::agent
