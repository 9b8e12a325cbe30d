// The agent's configuration (src/agent/config): environment lines, then "--"
// and one command-line argument per line (env_input.h).
// Properties: nothing crashes or throws (CLI11 errors become statuses); a
// refusal is kInvalidArgument or kValidation; a configuration that passes
// finalize_agent_config has a valid agent id, a credential, an http(s) URL,
// values in range and absolute directories.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "agent/config.h"
#include "common/ids.h"
#include "env_input.h"
#include "fuzz_check.h"

// Every variable the code reads (for "@<index>" lines; see env_input.h).
const std::vector<std::string> kNames = {
    "ORCHESTRATOR_URL",
    "AGENT_ID",
    "AGENT_REG_SECRET",
    "ORCH_JWT",
    "BACKUP_DIR",
    "RESTORE_DIR",
    "AGENT_SPOOL_DIR",
    "POLL_INTERVAL",
    "BACKUP_INTERVAL",
    "AGENT_LONG_POLL",
    "ORCHESTRATOR_CA_FILE",
    "ORCHESTRATOR_CA_DIR",
    "ORCHESTRATOR_TLS_INSECURE",
    "AGENT_ZSTD_LEVEL",
    "AGENT_ZSTD_THREADS",
    "AGENT_LOG_LEVEL",
};

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ff::fuzz::EnvInput input = ff::fuzz::parse_env_input(
      std::string_view(reinterpret_cast<const char*>(data), size), kNames);
  std::vector<const char*> argv = {"fortfail-agent"};
  for (const std::string& a : input.args) argv.push_back(a.c_str());
  ff::agent::ParseOutcome outcome;
  auto parsed = ff::agent::parse_agent_config(
      static_cast<int>(argv.size()), argv.data(),
      [&](const std::string& name) { return input.get(name); }, &outcome);
  if (!parsed.ok()) {
    auto code = parsed.status().code();
    FF_FUZZ_CHECK(code == ff::Code::kInvalidArgument || code == ff::Code::kValidation);
    return 0;
  }
  if (outcome.exit_early) {
    FF_FUZZ_CHECK(!outcome.message.empty());
    return 0;
  }
  ff::agent::AgentConfig c = std::move(parsed).value();
  ff::Status s = ff::agent::finalize_agent_config(c);
  if (!s.ok()) {
    FF_FUZZ_CHECK(s.code() == ff::Code::kValidation);
    return 0;
  }
  FF_FUZZ_CHECK(ff::is_valid_id(c.agent_id));
  FF_FUZZ_CHECK(!c.reg_secret.empty() || !c.jwt.empty());
  FF_FUZZ_CHECK(c.orchestrator_url.rfind("http://", 0) == 0 ||
                c.orchestrator_url.rfind("https://", 0) == 0);
  FF_FUZZ_CHECK(c.poll_interval.count() >= 1 && c.zstd_level >= 1 && c.zstd_level <= 19);
  FF_FUZZ_CHECK(c.zstd_threads >= 0 && c.long_poll.count() >= 0);
  FF_FUZZ_CHECK(!c.backup_dir.empty() && c.backup_dir[0] == '/');
  FF_FUZZ_CHECK(!c.restore_dir.empty() && c.restore_dir[0] == '/');
  FF_FUZZ_CHECK(!c.spool_dir.empty() && c.spool_dir[0] == '/');
  return 0;
}
